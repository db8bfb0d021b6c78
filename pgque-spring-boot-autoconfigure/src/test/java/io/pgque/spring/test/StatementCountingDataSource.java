package io.pgque.spring.test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A DataSource that counts the statements prepared or created on its connections: what a
 * piece of code sends to the server, without pg_stat_statements.
 */
public final class StatementCountingDataSource extends DelegatingDataSource {

	private static final Set<String> STATEMENT_METHODS = Set.of("prepareStatement", "createStatement", "prepareCall");

	private final AtomicInteger statements = new AtomicInteger();

	public StatementCountingDataSource(DataSource target) {
		super(target);
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection connection = super.getConnection();
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (STATEMENT_METHODS.contains(method.getName())) {
						this.statements.incrementAndGet();
					}
					try {
						return method.invoke(connection, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

	/**
	 * The statements counted since the last reset.
	 * @return the count
	 */
	public int statements() {
		return this.statements.get();
	}

	public void reset() {
		this.statements.set(0);
	}

}
