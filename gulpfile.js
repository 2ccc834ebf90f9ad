// After tsc: copies what tsc does not emit into dist/ (node and credential icons, and the codex files *.node.json
// that n8n reads beside each node), and indents the emitted JavaScript with tabs as the sources are (tsc always
// indents with four spaces, a tenth of the package's weight). Paths keep their place relative to the repo root, so
// `file:` icon paths and the n8n section of package.json point at the same files in src and dist.
const { Transform } = require('node:stream');
const { src, dest, series } = require('gulp');
const ts = require('typescript');

function copyIcons() {
	return src(['nodes/**/*.svg', 'credentials/**/*.svg', 'icons/**/*.svg'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist'));
}

/** [start, end) of every string, template and regular-expression literal: text whose every byte is a value. */
function literalRanges(code) {
	const file = ts.createSourceFile('emitted.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
	const ranges = [];
	const visit = (node) => {
		if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node) || ts.isRegularExpressionLiteral(node)) {
			ranges.push([node.getStart(file), node.end]);
			return;
		}
		ts.forEachChild(node, visit);
	};
	visit(file);
	return ranges;
}

/** Each line's leading groups of four spaces become tabs, except on a line that starts inside a literal. */
function indentWithTabs(code) {
	const ranges = literalRanges(code);
	const insideLiteral = (offset) => ranges.some(([start, end]) => start < offset && offset < end);
	let offset = 0;
	return code
		.split('\n')
		.map((line) => {
			const lineStart = offset;
			offset += line.length + 1;
			if (insideLiteral(lineStart)) return line;
			return line.replace(/^(?: {4})+/, (spaces) => '\t'.repeat(spaces.length / 4));
		})
		.join('\n');
}

function tabIndentedJs() {
	const retab = new Transform({
		objectMode: true,
		transform(file, _encoding, done) {
			if (file.isBuffer()) file.contents = Buffer.from(indentWithTabs(file.contents.toString('utf8')));
			done(null, file);
		},
	});
	return src(['dist/**/*.js'], { base: 'dist' }).pipe(retab).pipe(dest('dist'));
}

exports.build = series(copyIcons, copyCodex, tabIndentedJs);
exports.default = exports.build;
exports.indentWithTabs = indentWithTabs;
