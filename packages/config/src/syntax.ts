import { createScanner, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { positionAt, type Position } from './keypath.js';

/** A syntax error of devkit.json, said in words and located on the character at fault. */
export interface SyntaxProblem extends Position {
  /** `expected a property name after ','`. */
  message: string;
  /** The line at fault and a caret under the column, ready to print. */
  excerpt: string;
}

interface Token {
  text: string;
  offset: number;
  end: number;
}

/** The last token (comments and whitespace skipped) that ends at or before `offset`. */
function tokenBefore(text: string, offset: number): Token | undefined {
  const scanner = createScanner(text, true);
  let previous: Token | undefined;
  for (;;) {
    scanner.scan();
    const start = scanner.getTokenOffset();
    const end = start + scanner.getTokenLength();
    if (scanner.getTokenLength() === 0 || end > offset) return previous;
    previous = { text: text.slice(start, end), offset: start, end };
  }
}

/** `','`, `"hooks"`, `end of file`: a token as a message names it. */
function describeToken(token: string): string {
  if (token === '') return 'end of file';
  if (token.length === 1 && '{}[],:'.includes(token)) return `'${token}'`;
  return token.length > 40 ? `${token.slice(0, 37)}…` : token;
}

/** The line holding `offset`, numbered, with a caret under its column. */
export function excerptAt(text: string, position: Position): string {
  const lineText = text.split('\n')[position.line - 1]?.replace(/\r$/, '') ?? '';
  const number = String(position.line);
  const gutter = ' '.repeat(number.length);
  // Tabs stay tabs under the caret, so it lines up whatever the terminal's tab width.
  const pad = lineText.slice(0, position.column - 1).replace(/[^\t]/g, ' ');
  return `  ${number} | ${lineText}\n  ${gutter} | ${pad}^`;
}

/**
 * Says what is wrong at a jsonc-parser error, in the user's terms, and where: a missing ',' or
 * ':' belongs right after the token before it, so that is where the caret goes (jsonc-parser
 * reports the token after, often on the next line); anything else is at the token found.
 */
export function describeSyntaxError(text: string, error: ParseError): SyntaxProblem {
  const code = printParseErrorCode(error.error);
  const before = tokenBefore(text, error.offset);
  const foundText = text.slice(error.offset, error.offset + Math.max(error.length, 1)).trim();
  const found = describeToken(error.offset >= text.length ? '' : foundText);
  const after = before ? ` after ${describeToken(before.text)}` : '';
  let at = error.offset;
  let message: string;
  switch (code) {
    case 'PropertyNameExpected':
      message = `expected a property name${after}, found ${found}${foundText.startsWith("'") ? ' (property names take double quotes)' : ''}`;
      break;
    case 'ValueExpected':
      message = `expected a value${after}, found ${found}`;
      break;
    case 'ColonExpected':
      message = `expected ':'${after}, found ${found}`;
      if (before) at = before.end;
      break;
    case 'CommaExpected': {
      message = `expected ','${after}, before ${found}`;
      if (before) {
        const next = positionAt(text, error.offset);
        if (positionAt(text, before.end).line !== next.line) message += ` on line ${next.line}`;
        at = before.end;
      }
      break;
    }
    case 'CloseBraceExpected':
      message = `expected '}' to close an object${after}, found ${found}`;
      break;
    case 'CloseBracketExpected':
      message = `expected ']' to close a list${after}, found ${found}`;
      break;
    case 'EndOfFileExpected':
      message = `expected the end of the file after the top-level object, found ${found}`;
      break;
    case 'InvalidSymbol':
      message = `unexpected ${found}${/^'/.test(foundText) ? ' (strings take double quotes)' : ''}`;
      break;
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      message = `invalid number ${found}`;
      break;
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      message = 'a comment is not closed (a /* needs its */)';
      break;
    case 'UnexpectedEndOfString':
      message = 'a string is not closed (a " is missing before the end of the line)';
      break;
    case 'InvalidUnicode':
    case 'InvalidEscapeCharacter':
      message = `invalid escape sequence in a string (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`;
      break;
    case 'InvalidCharacter':
      message = 'a control character (a tab or line break) inside a string: write it escaped, e.g. \\t or \\n';
      break;
    default:
      message = `invalid JSON (${code})`;
  }
  const position = positionAt(text, at);
  return { ...position, message, excerpt: excerptAt(text, position) };
}
