package io.pgque.spring.convert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PgqueTypeMapperTests {

	@Test
	void namesClassesByTheChosenStrategy() {
		assertThat(new PgqueTypeMapper(PgqueTypeNaming.SIMPLE_NAME, Map.of()).typeName(OrderPlaced.class))
			.isEqualTo("OrderPlaced");
		assertThat(new PgqueTypeMapper(PgqueTypeNaming.CLASS_NAME, Map.of()).typeName(OrderPlaced.class))
			.isEqualTo(OrderPlaced.class.getName());
		assertThat(new PgqueTypeMapper(PgqueTypeNaming.DEFAULT, Map.of()).typeName(OrderPlaced.class))
			.isEqualTo("default");
	}

	@Test
	void mappingTableWinsBothWays() {
		PgqueTypeMapper mapper = new PgqueTypeMapper(PgqueTypeNaming.CLASS_NAME,
				Map.of("order.placed", OrderPlaced.class));
		assertThat(mapper.typeName(OrderPlaced.class)).isEqualTo("order.placed");
	}

	@Test
	void genericContainersAreSentAsDefault() {
		PgqueTypeMapper mapper = PgqueTypeMapper.simpleNames();
		assertThat(mapper.typeName(String.class)).isEqualTo("default");
		assertThat(mapper.typeName(byte[].class)).isEqualTo("default");
		assertThat(mapper.typeName(HashMap.class)).isEqualTo("default");
		assertThat(mapper.typeName(ArrayList.class)).isEqualTo("default");
		assertThat(mapper.typeName(ObjectNode.class)).isEqualTo("default");
	}

	@Test
	void rejectsAClassMappedTwice() {
		Map<String, Class<?>> mappings = new HashMap<>();
		mappings.put("a", OrderPlaced.class);
		mappings.put("b", OrderPlaced.class);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PgqueTypeMapper(PgqueTypeNaming.SIMPLE_NAME, mappings))
			.withMessageContaining(OrderPlaced.class.getName())
			.withMessageContaining("two PgQue types");
	}

	record OrderPlaced(String id) {
	}

}
