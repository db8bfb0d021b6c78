package io.pgque.spring.autoconfigure;

import io.pgque.spring.ticker.PgqueTickerMode;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code pgque.ticker.mode=none}, so that mode leaves no ticker bean (and
 * no ticker query) behind.
 *
 * @author pgque-spring-boot authors
 */
class OnPgqueTickerEnabledCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		PgqueTickerMode mode = Binder.get(context.getEnvironment())
			.bind("pgque.ticker.mode", PgqueTickerMode.class)
			.orElse(PgqueTickerMode.AUTO);
		ConditionMessage.Builder message = ConditionMessage.forCondition("PgQue ticker");
		if (mode == PgqueTickerMode.NONE) {
			return ConditionOutcome.noMatch(message.because("pgque.ticker.mode is none"));
		}
		return ConditionOutcome.match(message.because("pgque.ticker.mode is " + mode));
	}

}
