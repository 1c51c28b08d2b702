/**
 * GitHub Actions' `${{ }}` expressions, as far as Plumbline's action and example workflows use
 * them: context paths (`inputs.setup-node`, `steps.run.outputs.verdict`), string and number
 * literals, `==` `!=` `&&` `||` `!`, parentheses, and a few functions. Anything else throws, so
 * the simulated runner (compositeAction.ts) never guesses what an expression means: an action that
 * needs more gets a test failure that names the expression.
 */

export type ExpressionValue = string | number | boolean | null | ExpressionValue[] | { [key: string]: ExpressionValue };
export type ExpressionContexts = Record<string, ExpressionValue>;

/** What `always()`, `success()` and `failure()` read: whether an earlier step of the job failed. */
export interface StatusFunctions {
  readonly failed: boolean;
}

type Token = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const rest = source.slice(index);
    const space = /^\s+/.exec(rest);
    if (space) {
      index += space[0].length;
      continue;
    }
    const string = /^'((?:[^']|'')*)'/.exec(rest);
    if (string) {
      tokens.push({ kind: 'string', value: (string[1] ?? '').replace(/''/g, "'") });
      index += string[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      index += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      index += name[0].length;
      continue;
    }
    const op = /^(==|!=|&&|\|\||[!().,[\]])/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', value: op[0] });
      index += op[0].length;
      continue;
    }
    throw new Error(`Unsupported expression syntax at "${rest}" in \${{ ${source} }}`);
  }
  return tokens;
}

export function truthy(value: ExpressionValue | undefined): boolean {
  return !(value === undefined || value === null || value === false || value === 0 || value === '');
}

function equal(left: ExpressionValue | undefined, right: ExpressionValue | undefined): boolean {
  // GitHub compares strings case-insensitively; other kinds strictly here (the action needs no more).
  if (typeof left === 'string' && typeof right === 'string') return left.toLowerCase() === right.toLowerCase();
  return (left ?? null) === (right ?? null);
}

function asText(value: ExpressionValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly contexts: ExpressionContexts,
    private readonly status: StatusFunctions,
    private readonly source: string,
  ) {}

  parse(): ExpressionValue {
    const value = this.or();
    if (this.position !== this.tokens.length) throw new Error(`Unexpected "${this.describe(this.tokens[this.position])}" in \${{ ${this.source} }}`);
    return value;
  }

  private describe(token: Token | undefined): string {
    return token === undefined ? 'end' : String(token.value);
  }

  private peekOp(value: string): boolean {
    const token = this.tokens[this.position];
    return token?.kind === 'op' && token.value === value;
  }

  private expectOp(value: string): void {
    if (!this.peekOp(value)) throw new Error(`Expected "${value}", found "${this.describe(this.tokens[this.position])}" in \${{ ${this.source} }}`);
    this.position += 1;
  }

  private or(): ExpressionValue {
    let value = this.and();
    while (this.peekOp('||')) {
      this.position += 1;
      const right = this.and();
      value = truthy(value) ? value : right;
    }
    return value;
  }

  private and(): ExpressionValue {
    let value = this.comparison();
    while (this.peekOp('&&')) {
      this.position += 1;
      const right = this.comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  }

  private comparison(): ExpressionValue {
    let value = this.unary();
    while (this.peekOp('==') || this.peekOp('!=')) {
      const negate = this.peekOp('!=');
      this.position += 1;
      const right = this.unary();
      value = equal(value, right) !== negate;
    }
    return value;
  }

  private unary(): ExpressionValue {
    if (this.peekOp('!')) {
      this.position += 1;
      return !truthy(this.unary());
    }
    return this.primary();
  }

  private primary(): ExpressionValue {
    const token = this.tokens[this.position];
    if (token === undefined) throw new Error(`Unexpected end of \${{ ${this.source} }}`);
    this.position += 1;
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.kind === 'op') {
      if (token.value !== '(') throw new Error(`Unexpected "${token.value}" in \${{ ${this.source} }}`);
      const value = this.or();
      this.expectOp(')');
      return value;
    }
    if (token.value === 'true' || token.value === 'false') return token.value === 'true';
    if (token.value === 'null') return null;
    if (this.peekOp('(')) return this.call(token.value);
    let value: ExpressionValue | undefined = this.contexts[token.value];
    if (!(token.value in this.contexts)) throw new Error(`Unknown context "${token.value}" in \${{ ${this.source} }}`);
    for (;;) {
      if (this.peekOp('.')) {
        this.position += 1;
        const property = this.tokens[this.position];
        if (property?.kind !== 'name') throw new Error(`Expected a property name in \${{ ${this.source} }}`);
        this.position += 1;
        value = this.member(value, property.value);
      } else if (this.peekOp('[')) {
        this.position += 1;
        const key = this.or();
        this.expectOp(']');
        value = this.member(value, asText(key));
      } else {
        return value ?? null;
      }
    }
  }

  private member(value: ExpressionValue | undefined, key: string): ExpressionValue | undefined {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) return value[Number(key)];
    return value[key];
  }

  private call(name: string): ExpressionValue {
    this.expectOp('(');
    const args: ExpressionValue[] = [];
    while (!this.peekOp(')')) {
      args.push(this.or());
      if (!this.peekOp(')')) this.expectOp(',');
    }
    this.expectOp(')');
    switch (name) {
      case 'always':
        return true;
      case 'success':
        return !this.status.failed;
      case 'failure':
        return this.status.failed;
      case 'contains': {
        const [haystack, needle] = args;
        if (Array.isArray(haystack)) return haystack.some((item) => equal(item, needle ?? null));
        return asText(haystack).toLowerCase().includes(asText(needle).toLowerCase());
      }
      case 'startsWith':
        return asText(args[0]).toLowerCase().startsWith(asText(args[1]).toLowerCase());
      case 'fromJSON':
        return JSON.parse(asText(args[0])) as ExpressionValue;
      case 'toJSON':
        return JSON.stringify(args[0] ?? null);
      default:
        throw new Error(`Unsupported function ${name}() in \${{ ${this.source} }}`);
    }
  }
}

/** The value of one expression (the text between `${{` and `}}`, or an `if:` condition). */
export function evaluateExpression(source: string, contexts: ExpressionContexts, status: StatusFunctions = { failed: false }): ExpressionValue {
  return new Parser(tokenize(source), contexts, status, source.trim()).parse();
}

/** A YAML value with `${{ }}` in it, each replaced by its value as text (as the runner does for env and with). */
export function interpolate(template: string, contexts: ExpressionContexts, status?: StatusFunctions): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_whole, expression: string) => asText(evaluateExpression(expression, contexts, status)));
}

/** An `if:` condition: bare or wrapped in `${{ }}`; none means success(). */
export function condition(source: string | undefined, contexts: ExpressionContexts, status: StatusFunctions): boolean {
  if (source === undefined || source.trim() === '') return !status.failed;
  const bare = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(source)?.[1] ?? source;
  // As GitHub does: a condition that names no status function is implicitly `success() && (...)`.
  const usesStatus = /\b(always|success|failure|cancelled)\s*\(/.test(bare);
  const value = truthy(evaluateExpression(bare, contexts, status));
  return usesStatus ? value : !status.failed && value;
}
