package io.pgque.spring.listener;

import io.pgque.spring.listener.source.PgqueKeySlots.Presence;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fair share of a keyed worker: between slots / alive rounded down and up, given back
 * to workers below it.
 */
class PgqueSlotShareTests {

	@Test
	void aLoneWorkerTakesEveryFreeSlot() {
		PgqueSlotShare share = new PgqueSlotShare(16, new Presence(1, 16, 1));
		assertThat(share.toClaim(0)).isEqualTo(16);
		assertThat(share.toRelease(0)).isZero();
	}

	@Test
	void aWorkerAboveTheRoundedDownShareGivesBackWhileAnotherIsBelowIt() {
		// a newcomer: two workers, one holds all 8
		PgqueSlotShare share = new PgqueSlotShare(8, new Presence(2, 0, 1));
		assertThat(share.toRelease(8)).isEqualTo(4);
		assertThat(share.toClaim(4)).isZero();
	}

	@Test
	void aWorkerBelowItsShareTakesUpToTheRoundedDownShareWhileOthersAreHungryToo() {
		PgqueSlotShare share = new PgqueSlotShare(16, new Presence(3, 10, 2));
		assertThat(share.toClaim(0)).isEqualTo(5);
	}

	@Test
	void withNobodyHungryTheRemainderGoesToWhoeverTakesItUpToTheRoundedUpShare() {
		// 16 slots, 3 workers: 5, 5 and 6
		PgqueSlotShare share = new PgqueSlotShare(16, new Presence(3, 1, 0));
		assertThat(share.toClaim(5)).isEqualTo(1);
		assertThat(share.toRelease(6)).isZero();
		assertThat(share.toRelease(7)).isEqualTo(1);
	}

	@Test
	void moreWorkersThanSlotsLeaveSomeWithout() {
		PgqueSlotShare share = new PgqueSlotShare(4, new Presence(6, 0, 0));
		assertThat(share.toRelease(1)).isZero();
		assertThat(share.toRelease(2)).isEqualTo(1);
		assertThat(share.toClaim(0)).isZero();
	}

	@Test
	void nothingIsClaimedWhenNoSlotIsFree() {
		PgqueSlotShare share = new PgqueSlotShare(8, new Presence(4, 0, 2));
		assertThat(share.toClaim(0)).isZero();
	}

}
