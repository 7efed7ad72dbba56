// Regex rules are user input, and the browser's own RegExp backtracks: /(a|a)*b/ against thirty a's
// takes minutes. This is a linear-time matcher for RE2's everyday syntax (the syntax user-service checks
// rules with, RE2/J): the pattern becomes a Thompson NFA and the text is run through every state at once
// (Pike's VM without captures), so a test costs at most text length × program size steps, whatever the
// pattern. No DOM here: Node tests load it directly.
//
// Supported: literals and escapes (\. \\ \n \t \xHH \x{H…}), . (not \n; (?s) for all), [classes] with
// ranges, negation and \d \w \s, \p{…}/\pL (one character, through the browser's Unicode tables),
// \d \D \w \W \s \S, ^ $ \A \z \b \B, groups ( ) (?: ) (?P<n> ) (?<n> ), | alternation, * + ? {n} {n,}
// {n,m} (lazy forms too) and the flags (?i) (?s) (?m) (?U) (?i: …). Anything else (POSIX [[:alpha:]],
// \Q…\E, back-references, look-around) is refused with a SyntaxError, and the rule is not applied.

export const MAX_PATTERN_LENGTH = 200;
const MAX_REPEAT = 1000; // RE2's own bound
const MAX_PROGRAM = 4000; // instructions: bounds the work per character

const isWord = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c) => c >= 48 && c <= 57;
const isSpace = (c) => c === 32 || (c >= 9 && c <= 13 && c !== 11);
const not = (f) => (c) => !f(c);

function fold(test) {
  return (c) => {
    if (test(c)) return true;
    const s = String.fromCodePoint(c);
    const lower = s.toLowerCase().codePointAt(0);
    const upper = s.toUpperCase().codePointAt(0);
    return (lower !== c && test(lower)) || (upper !== c && test(upper));
  };
}

function unicodeProperty(name) {
  for (const source of [`^\\p{${name}}$`, `^\\p{Script=${name}}$`]) {
    try {
      const re = new RegExp(source, 'u');
      return (c) => re.test(String.fromCodePoint(c)); // one character: no backtracking to speak of
    } catch {
      // try the next spelling
    }
  }
  throw new SyntaxError(`unknown Unicode class \\p{${name}}`);
}

class Parser {
  constructor(pattern) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0));
    this.pos = 0;
  }

  peek(offset = 0) {
    return this.cps[this.pos + offset];
  }

  more() {
    return this.pos < this.cps.length;
  }

  eat(c) {
    if (this.peek() === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  fail(message) {
    throw new SyntaxError(`${message} at ${this.pos}`);
  }

  parse() {
    const node = this.alternation({ i: false, s: false });
    if (this.more()) this.fail('unmatched )');
    return node;
  }

  alternation(flags) {
    const branches = [this.concatenation(flags)];
    while (this.eat(0x7c /* | */)) branches.push(this.concatenation(flags));
    return branches.length === 1 ? branches[0] : { t: 'alt', items: branches };
  }

  concatenation(flags) {
    const items = [];
    while (this.more() && this.peek() !== 0x7c && this.peek() !== 0x29 /* ) */) {
      items.push(this.quantified(this.atom(flags)));
    }
    return items.length === 1 ? items[0] : { t: 'cat', items };
  }

  /**
   * After "(?": the flags of (?i) (applied to `flags`, the enclosing group's, for the rest of it: an
   * empty atom) or of (?i:…) (a group of its own). Null when no flag group starts here.
   */
  flagGroup(flags) {
    let p = this.pos;
    const set = {};
    let negate = false;
    while (p < this.cps.length) {
      const c = this.cps[p];
      if (c === 0x2d /* - */ && !negate) negate = true;
      else if (c === 0x69 || c === 0x73 || c === 0x6d || c === 0x55) set[String.fromCodePoint(c)] = !negate;
      else break;
      p++;
    }
    const end = this.cps[p];
    if (p === this.pos || (end !== 0x29 && end !== 0x3a)) return null;
    this.pos = p + 1;
    const target = end === 0x29 ? flags : { ...flags };
    if ('i' in set) target.i = set.i;
    if ('s' in set) target.s = set.s;
    if (end === 0x29) return { t: 'empty' };
    const node = this.alternation(target);
    if (!this.eat(0x29)) this.fail('missing )');
    return { t: 'group', node };
  }

  atom(flags) {
    const c = this.peek();
    if (c === 0x28 /* ( */) {
      this.pos++;
      if (this.eat(0x3f /* ? */)) {
        if (this.eat(0x3a /* : */)) {
          // non-capturing
        } else if (this.peek() === 0x50 /* P */ || this.peek() === 0x3c /* < */) {
          if (this.peek() === 0x50) this.pos++;
          if (!this.eat(0x3c)) this.fail('unsupported group');
          if (this.peek() === 0x3d || this.peek() === 0x21) this.fail('look-behind is not supported');
          while (this.more() && this.peek() !== 0x3e) {
            if (!isWord(this.peek())) this.fail('invalid group name');
            this.pos++;
          }
          if (!this.eat(0x3e)) this.fail('invalid group name');
        } else {
          const flagged = this.flagGroup(flags);
          if (flagged) return flagged;
          this.fail('unsupported group (look-around?)');
        }
      }
      const node = this.alternation({ ...flags });
      if (!this.eat(0x29)) this.fail('missing )');
      return { t: 'group', node };
    }
    if (c === 0x5b /* [ */) return this.charClass(flags);
    if (c === 0x2e /* . */) {
      this.pos++;
      const dotAll = flags.s;
      return { t: 'char', test: dotAll ? () => true : (x) => x !== 10 };
    }
    if (c === 0x5e /* ^ */) {
      this.pos++;
      return { t: 'assert', kind: 'bol' };
    }
    if (c === 0x24 /* $ */) {
      this.pos++;
      return { t: 'assert', kind: 'eol' };
    }
    if (c === 0x5c /* \ */) return this.escape(flags, false);
    if (c === 0x2a || c === 0x2b || c === 0x3f) this.fail('missing argument to repetition operator');
    this.pos++;
    return literal(c, flags);
  }

  escape(flags, inClass) {
    this.pos++; // the backslash
    const c = this.peek();
    if (c === undefined) this.fail('trailing backslash');
    this.pos++;
    const ch = String.fromCodePoint(c);
    const classes = { d: isDigit, D: not(isDigit), w: isWord, W: not(isWord), s: isSpace, S: not(isSpace) };
    if (classes[ch]) return { t: 'char', test: classes[ch], set: true };
    if (!inClass) {
      if (ch === 'b') return { t: 'assert', kind: 'word' };
      if (ch === 'B') return { t: 'assert', kind: 'notword' };
      if (ch === 'A') return { t: 'assert', kind: 'bol' };
      if (ch === 'z') return { t: 'assert', kind: 'eol' };
    }
    if (ch === 'p' || ch === 'P') {
      let name;
      if (this.eat(0x7b /* { */)) {
        const start = this.pos;
        while (this.more() && this.peek() !== 0x7d) this.pos++;
        if (!this.eat(0x7d)) this.fail('missing }');
        name = String.fromCodePoint(...this.cps.slice(start, this.pos - 1));
      } else {
        if (!this.more()) this.fail('invalid \\p');
        name = String.fromCodePoint(this.peek());
        this.pos++;
      }
      let negated = ch === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      if (!/^[A-Za-z_]{1,40}$/.test(name)) this.fail('invalid Unicode class');
      const test = unicodeProperty(name);
      return { t: 'char', test: negated ? not(test) : test, set: true };
    }
    const simple = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (simple[ch] !== undefined) return literal(simple[ch], flags);
    if (ch === 'x') {
      let hex;
      if (this.eat(0x7b)) {
        const start = this.pos;
        while (this.more() && this.peek() !== 0x7d) this.pos++;
        if (!this.eat(0x7d)) this.fail('missing }');
        hex = String.fromCodePoint(...this.cps.slice(start, this.pos - 1));
      } else {
        hex = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 2));
        this.pos += 2;
      }
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) this.fail('invalid \\x escape');
      return literal(Number.parseInt(hex, 16), flags);
    }
    // escaped punctuation is itself; an escaped letter or digit we do not know is refused, as RE2 does
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      this.fail(`unsupported escape \\${ch}`);
    }
    return literal(c, flags);
  }

  charClass(flags) {
    this.pos++; // [
    const negated = this.eat(0x5e /* ^ */);
    const tests = [];
    let first = true;
    while (this.more() && (this.peek() !== 0x5d /* ] */ || first)) {
      first = false;
      if (this.peek() === 0x5b && this.peek(1) === 0x3a) this.fail('POSIX classes are not supported');
      let lo;
      if (this.peek() === 0x5c) {
        const escaped = this.escape({ i: false }, true);
        if (escaped.set) {
          tests.push(escaped.test);
          continue;
        }
        lo = escaped.code;
      } else {
        lo = this.peek();
        this.pos++;
      }
      let hi = lo;
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        this.pos++;
        if (this.peek() === 0x5c) {
          const escaped = this.escape({ i: false }, true);
          if (escaped.set) this.fail('invalid character class range');
          hi = escaped.code;
        } else {
          hi = this.peek();
          this.pos++;
        }
        if (hi < lo) this.fail('invalid character class range');
      }
      tests.push((x) => x >= lo && x <= hi);
    }
    if (!this.eat(0x5d)) this.fail('missing ]');
    let test = (x) => {
      for (let k = 0; k < tests.length; k++) if (tests[k](x)) return true;
      return false;
    };
    if (flags.i) test = fold(test);
    return { t: 'char', test: negated ? not(test) : test };
  }

  quantified(atom) {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min;
      let max;
      if (c === 0x2a) [min, max] = [0, Infinity];
      else if (c === 0x2b) [min, max] = [1, Infinity];
      else if (c === 0x3f) [min, max] = [0, 1];
      else if (c === 0x7b) {
        const range = this.repeatRange();
        if (!range) return node; // a { that starts no repetition is a literal, as in RE2
        [min, max] = range;
        this.pos--; // repeatRange stopped after }; the common advance below eats it again
      } else return node;
      this.pos++;
      this.eat(0x3f); // lazy: the same yes/no answer
      if (node.t === 'assert' || node.t === 'empty') this.fail('missing argument to repetition operator');
      if (node.t === 'rep') this.fail('invalid nested repetition operator');
      node = { t: 'rep', node, min, max };
    }
  }

  /** {n}, {n,} or {n,m} at pos, with pos left after the }; null (pos unchanged) when it is not one. */
  repeatRange() {
    const start = this.pos;
    const text = String.fromCodePoint(...this.cps.slice(start, start + 16));
    const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(text);
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || max < min))) this.fail('invalid repeat count');
    this.pos = start + m[0].length;
    return [min, max];
  }
}

function literal(code, flags) {
  // the case variants are worked out once here, not per character tested
  const codes = [code];
  if (flags.i) {
    const s = String.fromCodePoint(code);
    for (const variant of [s.toLowerCase(), s.toUpperCase()]) {
      const c = variant.codePointAt(0);
      if (Array.from(variant).length === 1 && !codes.includes(c)) codes.push(c);
    }
  }
  const [a, b = a, c = a] = codes;
  return { t: 'char', test: (x) => x === a || x === b || x === c, code, codes };
}

// ---- compiling to a program ----------------------------------------------------------------------

class Program {
  constructor() {
    this.code = [];
  }

  emit(instruction) {
    if (this.code.length >= MAX_PROGRAM) throw new SyntaxError('pattern too complex');
    this.code.push(instruction);
    return this.code.length - 1;
  }

  // Each fragment is compiled so that it continues at `next`, built back to front.
  compile(node, next) {
    switch (node.t) {
      case 'char':
        return this.emit({ op: 'char', test: node.test, codes: node.codes ?? null, next });
      case 'assert':
        return this.emit({ op: 'assert', kind: node.kind, next });
      case 'empty':
        return next;
      case 'group':
        return this.compile(node.node, next);
      case 'cat': {
        let at = next;
        for (let i = node.items.length - 1; i >= 0; i--) at = this.compile(node.items[i], at);
        return at;
      }
      case 'alt': {
        const starts = node.items.map((item) => this.compile(item, next));
        return this.emit({ op: 'split', to: starts });
      }
      case 'rep': {
        let at = next;
        if (node.max === Infinity) {
          // a loop: split → body → back to the split, or on to what follows
          const split = this.emit({ op: 'split', to: [] });
          const body = this.compile(node.node, split);
          this.code[split].to = [body, next];
          at = split;
        } else {
          // x{n,m}: the m - n optional copies, each either taken (then the next copy) or skipped
          for (let i = node.min; i < node.max; i++) {
            const body = this.compile(node.node, at);
            at = this.emit({ op: 'split', to: [body, next] });
          }
        }
        for (let i = 0; i < node.min; i++) at = this.compile(node.node, at);
        return at;
      }
      default:
        throw new SyntaxError('unsupported pattern');
    }
  }
}

/**
 * A compiled pattern: test(text) is true when it matches anywhere in text (RE2's find), in time
 * linear in the text. Throws SyntaxError for a pattern outside the supported syntax or too long.
 */
export function compileRegex(pattern) {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new SyntaxError('empty pattern');
  if (Array.from(pattern).length > MAX_PATTERN_LENGTH) throw new SyntaxError('pattern too long');
  const ast = new Parser(pattern).parse();
  const program = new Program();
  const match = program.emit({ op: 'match' });
  const start = program.compile(ast, match);
  const code = program.code;
  const size = code.length;
  const seen = new Int32Array(size).fill(-1);
  let generation = 0;
  const stack = [];
  let cps = [];
  let n = 0;

  // Where a match can start, worked out once: if every path from the start begins with ^, only
  // position 0 can start one; if every path begins with a literal, only positions holding one of those
  // characters can, and the others are skipped while no thread is alive (what memchr does for RE2).
  const firstCodes = new Set();
  let anchored = true;
  let literalStart = true;
  {
    const todo = [start];
    const visited = new Set();
    while (todo.length) {
      const at = todo.pop();
      if (visited.has(at)) continue;
      visited.add(at);
      const ins = code[at];
      if (ins.op === 'split') todo.push(...ins.to);
      else if (ins.op === 'assert' && ins.kind === 'bol') continue;
      else {
        anchored = false;
        if (ins.op === 'char' && ins.codes) ins.codes.forEach((c) => firstCodes.add(c));
        else literalStart = false;
      }
    }
  }

  const wordAt = (i) => i >= 0 && i < n && isWord(cps[i]);

  // follows splits and assertions from pc at position i into list; true when the match state is reached
  function add(list, pc, i) {
    stack.length = 0;
    stack.push(pc);
    while (stack.length) {
      const at = stack.pop();
      if (seen[at] === generation) continue;
      seen[at] = generation;
      const ins = code[at];
      if (ins.op === 'match') return true;
      if (ins.op === 'split') {
        for (let k = ins.to.length - 1; k >= 0; k--) stack.push(ins.to[k]);
      } else if (ins.op === 'assert') {
        let ok;
        if (ins.kind === 'bol') ok = i === 0;
        else if (ins.kind === 'eol') ok = i === n;
        else {
          const boundary = wordAt(i - 1) !== wordAt(i);
          ok = ins.kind === 'word' ? boundary : !boundary;
        }
        if (ok) stack.push(ins.next);
      } else {
        list.push(at);
      }
    }
    return false;
  }

  let current = [];
  let next = [];
  return {
    source: pattern,
    size,
    /** True when the pattern matches anywhere in text (a string, or an array of its code points). */
    test(text) {
      cps = typeof text === 'string' ? Array.from(text, (ch) => ch.codePointAt(0)) : text;
      n = cps.length;
      current.length = 0;
      for (let i = 0; i <= n; i++) {
        if (current.length === 0) {
          if (anchored && i > 0) return false;
          if (literalStart && !anchored) {
            while (i < n && !firstCodes.has(cps[i])) i++;
            if (i === n) {
              // nothing can start here; only an empty match could, and a literal start rules it out
              return false;
            }
          }
        }
        generation++;
        next.length = 0;
        // threads carried over from the previous character, then a fresh start here (unanchored)
        for (const pc of current) if (add(next, pc, i)) return true;
        if ((!anchored || i === 0) && add(next, start, i)) return true;
        if (i === n) break;
        const c = cps[i];
        current.length = 0;
        for (const pc of next) {
          const ins = code[pc];
          if (ins.test(c)) current.push(ins.next);
        }
      }
      return false;
    },
  };
}
