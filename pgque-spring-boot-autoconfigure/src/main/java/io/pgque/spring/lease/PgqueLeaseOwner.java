package io.pgque.spring.lease;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * Owner names for table leases: unique per holder (a random part), readable in
 * {@code pgque.lease} (host and process id).
 *
 * @author pgque-spring-boot authors
 */
public final class PgqueLeaseOwner {

	private PgqueLeaseOwner() {
	}

	/**
	 * A fresh owner name.
	 * @param role what holds the lease, e.g. "listener" or "ticker"
	 * @return the name
	 */
	public static String newName(String role) {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "unknown-host";
		}
		return role + "@" + host + ":" + ProcessHandle.current().pid() + "/" + UUID.randomUUID();
	}

}
