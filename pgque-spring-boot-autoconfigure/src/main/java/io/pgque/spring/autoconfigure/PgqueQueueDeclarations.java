package io.pgque.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgque.spring.core.PgqueQueue;
import io.pgque.spring.core.PgqueQueueConfig;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Turns {@code pgque.queues.<name>.*} properties into queue declarations.
 *
 * @author pgque-spring-boot authors
 */
final class PgqueQueueDeclarations {

	private PgqueQueueDeclarations() {
	}

	static List<PgqueQueue> from(Map<String, PgqueProperties.Queue> queues) {
		List<PgqueQueue> declarations = new ArrayList<>(queues.size());
		queues.forEach((name, queue) -> declarations.add(new PgqueQueue(name, config(queue))));
		return declarations;
	}

	private static PgqueQueueConfig config(PgqueProperties.Queue queue) {
		PgqueQueueConfig.Builder builder = PgqueQueueConfig.builder();
		PropertyMapper map = PropertyMapper.get();
		map.from(queue::getMaxRetries).to(builder::maxRetries);
		map.from(queue::getRotationPeriod).to(builder::rotationPeriod);
		map.from(queue::getTickerMaxCount).to(builder::tickerMaxCount);
		map.from(queue::getTickerMaxLag).to(builder::tickerMaxLag);
		map.from(queue::getTickerIdlePeriod).to(builder::tickerIdlePeriod);
		return builder.build();
	}

}
