package io.pgque.spring.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema command reports the database it worked on without the password.
 */
class PgqueSchemaCommandTests {

	@Test
	void withoutSecretsMasksPasswordParameters() {
		assertThat(
				PgqueSchemaCommand.withoutSecrets("jdbc:postgresql://db:5432/app?user=owner&password=s3cr3t&ssl=true"))
			.isEqualTo("jdbc:postgresql://db:5432/app?user=owner&password=***&ssl=true");
		assertThat(PgqueSchemaCommand.withoutSecrets("jdbc:postgresql://db/app?PASSWORD=x;user=y"))
			.isEqualTo("jdbc:postgresql://db/app?PASSWORD=***;user=y");
	}

	@Test
	void withoutSecretsMasksUserInfoPasswords() {
		assertThat(PgqueSchemaCommand.withoutSecrets("jdbc:postgresql://owner:s3cr3t@db:5432/app"))
			.isEqualTo("jdbc:postgresql://owner:***@db:5432/app");
	}

	@Test
	void withoutSecretsLeavesUrlsWithoutPasswordAlone() {
		assertThat(PgqueSchemaCommand.withoutSecrets("jdbc:postgresql://db:5432/app?user=owner"))
			.isEqualTo("jdbc:postgresql://db:5432/app?user=owner");
	}

}
