// GitHub Actions expressions, evaluated for the workflow tests and the CI bench: the subset the
// generated workflows use (&&, ||, !, ==, !=, string literals, context properties, format()), the
// way GitHub does: `a && b || c` returns values, a missing property is null.

/** Evaluates `expr` (`${{ ... }}`, or text with expressions inside) with the contexts in `ctx`. */
export function evalExpr(expr: string, ctx: Record<string, unknown>): unknown {
  // Text with expressions inside (`a-${{ x }}`): each evaluated and joined, as GitHub does.
  const parts = expr.trim().split(/(\$\{\{[\s\S]*?\}\})/).filter((p) => p !== '');
  if (parts.length > 1) return parts.map((p) => (p.startsWith('${{') ? String(evalExpr(p, ctx) ?? '') : p)).join('');
  const inner = expr.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
  const strings: string[] = [];
  let js = inner.replace(/'((?:[^']|'')*)'/g, (_, s: string) => `__S${strings.push(s.replace(/''/g, "'")) - 1}__`);
  // Only expression syntax is turned into JavaScript: anything else is a test failure, never run.
  if (/[;`]|=>|\bfunction\b/.test(js)) throw new Error(`unexpected expression ${inner}`);
  js = js
    .replace(/\bformat\(/g, '__format(')
    .replace(/\.(?=[A-Za-z_])/g, '?.')
    .replace(/==/g, '===')
    .replace(/!===/g, '!==')
    .replace(/__S(\d+)__/g, (_, i) => JSON.stringify(strings[Number(i)]));
  const format = (f: string, ...args: unknown[]) => f.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));
  return new Function('github', 'inputs', 'env', '__format', `return (${js}) ?? null;`)(ctx.github, ctx.inputs ?? {}, ctx.env ?? {}, format);
}
