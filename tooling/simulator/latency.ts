/**
 * How long the simulator holds each answer: `latencyMs`, moved by up to ± `latencyJitterMs` (uniformly, never below
 * 0) with numbers from a seeded generator, so the same seed and the same order of requests give the same delays.
 */
import { seededRandom } from './fleet';

export class Latency {
	private random: () => number;

	constructor(seed: number) {
		this.random = seededRandom('latency', seed);
	}

	/** Starts the sequence of delays again from this seed. */
	reseed(seed: number): void {
		this.random = seededRandom('latency', seed);
	}

	/** The next delay in ms. Without jitter it is `latencyMs` and no random number is drawn. */
	next(latencyMs: number, jitterMs: number): number {
		if (jitterMs <= 0) return latencyMs;
		return Math.max(0, latencyMs + (2 * this.random() - 1) * jitterMs);
	}
}
