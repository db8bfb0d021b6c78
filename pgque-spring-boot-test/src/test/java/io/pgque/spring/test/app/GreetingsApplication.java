package io.pgque.spring.test.app;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgque.spring.annotation.PgqueListener;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/**
 * The application under test, as a user would have one: queue "greetings" with two
 * consumers, one of which rejects the greeting "boom".
 */
@SpringBootApplication
public class GreetingsApplication {

	@Component
	public static class Greeter {

		private final List<String> greeted = new CopyOnWriteArrayList<>();

		@PgqueListener(queue = "greetings", consumer = "greeter")
		public void on(String greeting) {
			if (greeting.equals("boom")) {
				throw new IllegalArgumentException("cannot greet " + greeting);
			}
			this.greeted.add(greeting);
		}

		public List<String> greeted() {
			return this.greeted;
		}

	}

	@Component
	public static class Archive {

		@PgqueListener(queue = "greetings", consumer = "archive")
		public void on(String greeting) {
		}

	}

}
