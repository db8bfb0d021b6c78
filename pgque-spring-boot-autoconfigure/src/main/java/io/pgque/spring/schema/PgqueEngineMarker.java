package io.pgque.spring.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Records which text of a changelog the starter last applied, so that a start with an
 * unchanged engine decides from one read that nothing must run: no Liquibase, no writes,
 * no table lock beyond reading one row.
 * <p>
 * The checksum covers the changelog and every file it includes. The marker lives in the
 * {@code pgque} schema, so {@code pgque.uninstall()} removes it with the engine; deleting
 * its row forces the next start to run the changelog again.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueEngineMarker {

	static final String TABLE = PgqueChangelogs.SCHEMA + ".pgque_engine_marker";

	private final String changelog;

	private final String checksum;

	private PgqueEngineMarker(String changelog, String checksum) {
		this.changelog = changelog;
		this.checksum = checksum;
	}

	/**
	 * The marker of the changelog as shipped in this starter.
	 * @param changelog the classpath location of the changelog
	 * @param classLoader where to read it from
	 * @return the marker
	 */
	static PgqueEngineMarker of(String changelog, ClassLoader classLoader) {
		MessageDigest digest = sha256();
		String text = PgqueChangelogFiles.read(changelog, classLoader);
		digest.update(text.getBytes(StandardCharsets.UTF_8));
		for (String file : PgqueChangelogFiles.includes(changelog, text)) {
			digest.update(PgqueChangelogFiles.read(file, classLoader).getBytes(StandardCharsets.UTF_8));
		}
		return new PgqueEngineMarker(changelog, HexFormat.of().formatHex(digest.digest()));
	}

	String checksum() {
		return this.checksum;
	}

	/**
	 * Whether the database says this exact changelog text was applied. Only reads.
	 * @param connection the connection to ask on
	 * @return {@code true} if nothing must run
	 * @throws SQLException if the database cannot be read
	 */
	boolean isApplied(Connection connection) throws SQLException {
		try (Statement exists = connection.createStatement();
				ResultSet table = exists.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
			if (!table.next() || !table.getBoolean(1)) {
				return false;
			}
		}
		try (PreparedStatement select = connection
			.prepareStatement("SELECT checksum FROM " + TABLE + " WHERE changelog = ?")) {
			select.setString(1, this.changelog);
			try (ResultSet row = select.executeQuery()) {
				return row.next() && this.checksum.equals(row.getString(1));
			}
		}
	}

	/**
	 * Record that this changelog text has been applied.
	 * @param connection the connection the changelog was applied on
	 * @throws SQLException if the marker cannot be written
	 */
	void record(Connection connection) throws SQLException {
		try (Statement create = connection.createStatement()) {
			create.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (changelog text PRIMARY KEY, "
					+ "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
		}
		try (PreparedStatement upsert = connection
			.prepareStatement("INSERT INTO " + TABLE + " (changelog, checksum) VALUES (?, ?) ON CONFLICT (changelog) "
					+ "DO UPDATE SET checksum = excluded.checksum, applied_at = now()")) {
			upsert.setString(1, this.changelog);
			upsert.setString(2, this.checksum);
			upsert.executeUpdate();
		}
		if (!connection.getAutoCommit()) {
			connection.commit();
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

}
