/** Progress output, sleeping, and the list of things to clean up. */

const startedAt = Date.now();

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A progress line on stderr: `[bench +12.3s] section: message`. */
export function progress(scope: string, message: string): void {
	process.stderr.write(`[bench +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${scope}: ${message}\n`);
}

export function elapsedMs(): number {
	return Date.now() - startedAt;
}

export function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * Everything a run started (simulators, n8n instances, clusters, temp folders), closed in reverse order by
 * `closeAll()`: on success, on failure, and on SIGINT/SIGTERM. Each closer runs at most once.
 */
export class Cleanup {
	private readonly closers: Array<{ label: string; close: () => Promise<void> }> = [];

	add(label: string, close: () => Promise<void>): () => Promise<void> {
		let done = false;
		const once = async (): Promise<void> => {
			if (done) return;
			done = true;
			await close();
		};
		this.closers.push({ label, close: once });
		return async () => {
			const index = this.closers.findIndex((entry) => entry.close === once);
			if (index >= 0) this.closers.splice(index, 1);
			await once();
		};
	}

	async closeAll(): Promise<void> {
		while (this.closers.length > 0) {
			const entry = this.closers.pop();
			if (!entry) break;
			try {
				await entry.close();
			} catch (error) {
				progress('cleanup', `closing ${entry.label} failed: ${errorText(error)}`);
			}
		}
	}

	get size(): number {
		return this.closers.length;
	}
}
