// Copies what tsc does not emit into dist/: node and credential icons (SVG) and the codex files (*.node.json)
// that n8n reads beside each node. Paths keep their place relative to the repo root, so `file:` icon paths and
// the n8n section of package.json point at the same files in src and dist.
const { src, dest, series } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.svg', 'credentials/**/*.svg', 'icons/**/*.svg'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist'));
}

exports.build = series(copyIcons, copyCodex);
exports.default = exports.build;
