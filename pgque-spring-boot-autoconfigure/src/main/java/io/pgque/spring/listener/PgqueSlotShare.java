package io.pgque.spring.listener;

import io.pgque.spring.listener.source.PgqueKeySlots.Presence;

/**
 * How many slots a keyed worker should hold, from how the slots stand: between the fair
 * share rounded down and rounded up ({@code slots / alive}). A worker above the upper
 * bound gives slots back; one above the lower bound gives back too while some worker is
 * below it (hungry), and takes more only when none is, so that a worker that starts gets
 * its share from those that have more.
 *
 * @param slots the consumer's slot count
 * @param presence how the slots stand
 * @author pgque-spring-boot authors
 */
record PgqueSlotShare(int slots, Presence presence) {

	private int floor() {
		return this.slots / Math.max(1, this.presence.alive());
	}

	private int ceiling() {
		int alive = Math.max(1, this.presence.alive());
		return (this.slots + alive - 1) / alive;
	}

	/**
	 * How many slots to give back.
	 * @param held the slots the worker holds
	 * @return the number to release, 0 or more
	 */
	int toRelease(int held) {
		int keep = (this.presence.hungry() > 0) ? floor() : ceiling();
		return Math.max(0, held - keep);
	}

	/**
	 * The most slots to take now.
	 * @param held the slots the worker holds
	 * @return the number to claim, 0 or more
	 */
	int toClaim(int held) {
		if (this.presence.free() == 0) {
			return 0;
		}
		int target = (this.presence.hungry() > 0) ? floor() : ceiling();
		return Math.min(this.presence.free(), Math.max(0, target - held));
	}

}
