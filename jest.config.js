/** Three projects: fast specs (unit), a real n8n (e2e) and a real n8n in queue mode (queue). */
const common = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
	modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
	reporters: ['default', '<rootDir>/test/summary-reporter.js'],
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/test/e2e/'] },
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
			globalSetup: '<rootDir>/test/e2e/global-setup.ts',
		},
		{
			...common,
			displayName: 'queue',
			testMatch: ['<rootDir>/test/e2e/**/*.queue.test.ts'],
			globalSetup: '<rootDir>/test/e2e/global-setup.ts',
		},
	],
};
