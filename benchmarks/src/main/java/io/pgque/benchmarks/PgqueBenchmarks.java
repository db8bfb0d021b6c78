package io.pgque.benchmarks;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import io.pgque.spring.config.PgqueListenerContainerFactory;
import io.pgque.spring.core.PgqueTemplate;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs every benchmark on one server and prints each figure next to its baseline, as a
 * ratio, with the server's version and settings. System properties:
 * {@code pgque.bench.rounds} (measured rounds, default 5), {@code pgque.bench.only}
 * (comma-separated: engine, template, drain, latency, coop, keyed) and
 * {@code pgque.bench.install} ({@code false} measures the engine already installed, e.g.
 * an older one, without upgrading it).
 */
public final class PgqueBenchmarks {

	private static final List<String> SETTINGS = List.of("fsync", "synchronous_commit", "full_page_writes",
			"shared_buffers", "wal_level", "jit", "max_connections");

	private PgqueBenchmarks() {
	}

	public static void main(String[] args) throws Exception {
		// no network calls from a benchmark run (Liquibase asks for its analytics
		// settings)
		System.setProperty("liquibase.analytics.enabled", "false");
		int rounds = Integer.getInteger("pgque.bench.rounds", 5);
		Set<String> only = Set
			.of(System.getProperty("pgque.bench.only", "engine,template,drain,latency,coop,keyed").split(","));
		ListenerDrainBenchmark drain = new ListenerDrainBenchmark();
		try (BenchServer server = BenchServer.start()) {
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
				.properties(contextProperties(server))
				.properties("pgque.ticker.mode=none")
				.listeners(drain)
				.run()) {
				DataSource dataSource = context.getBean(DataSource.class);
				PgqueTemplate template = context.getBean(PgqueTemplate.class);
				JsonMapper jsonMapper = context.getBean(JsonMapper.class);
				printHeader(server, dataSource, rounds);
				String payload = jsonMapper.writeValueAsString(OrderPlaced.sample(1));
				if (only.contains("engine")) {
					new EngineSendBenchmark(dataSource, payload).run(rounds);
				}
				if (only.contains("template")) {
					new TemplateSendBenchmark(template, dataSource, jsonMapper).run(rounds);
				}
				if (only.contains("drain")) {
					drain.use(template, dataSource, context.getBean(PgqueListenerContainerFactory.class));
					drain.run(rounds, payload);
				}
				if (only.contains("coop")) {
					// a second application beside this one, for workers across two
					try (ConfigurableApplicationContext second = new SpringApplicationBuilder(Application.class)
						.properties(contextProperties(server))
						.properties("pgque.ticker.mode=none", "pgque.schema.mode=none")
						.run()) {
						new CooperativeScalingBenchmark(template, context.getBean(PgqueListenerContainerFactory.class),
								second.getBean(PgqueListenerContainerFactory.class))
							.run();
					}
				}
				if (only.contains("keyed")) {
					new KeyedScalingBenchmark(template, context.getBean(PgqueListenerContainerFactory.class),
							dataSource)
						.run();
				}
			}
			if (only.contains("latency")) {
				new LatencyBenchmark(server).run();
			}
		}
	}

	static String[] contextProperties(BenchServer server) {
		boolean install = Boolean.parseBoolean(System.getProperty("pgque.bench.install", "true"));
		return new String[] { "spring.datasource.url=" + server.jdbcUrl(),
				"spring.datasource.username=" + server.user(), "spring.datasource.password=" + server.password(),
				"spring.liquibase.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn",
				"pgque.schema.mode=" + (install ? "install" : "validate") };
	}

	private static void printHeader(BenchServer server, DataSource dataSource, int rounds) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		System.out.println();
		System.out.println("PgQue benchmarks, " + OffsetDateTime.now(ZoneOffset.UTC).withNano(0) + ", "
				+ Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
				+ System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
		System.out
			.println("server: " + server.description() + ", " + jdbc.queryForObject("SELECT version()", String.class));
		System.out.println("settings: " + String.join(", ",
				jdbc.query(
						"SELECT name || '=' || setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(?)"
								+ " ORDER BY name",
						(rs, row) -> rs.getString(1), (Object) SETTINGS.toArray(String[]::new))));
		System.out.println("engine " + jdbc.queryForObject("SELECT pgque.version()", String.class) + "; median of "
				+ rounds + " rounds after warm-up; ratio = subject / baseline, per round, median (min-max)");
	}

	/**
	 * The benchmarks' application: the starter's auto-configuration, nothing else.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
