package io.pgque.spring.listener;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The instance id a container generates when none is configured: the prefix of its
 * cooperative members' names.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueInstanceId {

	private PgqueInstanceId() {
	}

	/**
	 * A new id, unique per container: the host and process say where it runs, the random
	 * part keeps two contexts of one process apart.
	 * @return the id, of letters, digits, {@code _} and {@code -} only
	 */
	static String generate() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (Exception ex) {
			host = "host";
		}
		String id = host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
				+ HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
		return id.replaceAll("[^A-Za-z0-9_-]", "-");
	}

}
