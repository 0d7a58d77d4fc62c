/**
 * Mutable state while planning one plan or function: local numbering, the block statements
 * are appended to, and the variables in scope. The planner works in continuation-passing
 * style: statements that depend on a binding (a scan iteration, a unification) are planned
 * inside the block that makes the binding, so "current block" moves inward and back out.
 */
import type { Block, Local, Stmt } from "../ir.ts";

/** A block under construction. */
export interface MutableBlock {
  stmts: Stmt[];
}

export function asBlock(b: MutableBlock): Block {
  return b;
}

/** Variables in scope: a stack of frames, innermost last. */
export class VarStack {
  private readonly frames: Map<string, Local>[] = [new Map()];

  get(name: string): Local | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const l = this.frames[i]!.get(name);
      if (l !== undefined) return l;
    }
    return undefined;
  }

  put(name: string, local: Local): void {
    this.frames[this.frames.length - 1]!.set(name, local);
  }

  push(): void {
    this.frames.push(new Map());
  }

  pop(): void {
    this.frames.pop();
  }

  /** Runs `f` in a fresh frame: bindings made inside are dropped afterwards. */
  scoped<T>(f: () => T): T {
    this.push();
    try {
      return f();
    } finally {
      this.pop();
    }
  }
}

export class FuncBuilder {
  private nextLocal: Local;
  readonly vars = new VarStack();
  /** The block statements are currently appended to. */
  current: MutableBlock;
  /** True while input or data are replaced by a `with` (their locals hold other values). */
  docsReplaced = false;
  /** Rule function name → locals remembering its result in this function (see Planner.callRule). */
  readonly ruleResults = new Map<string, { readonly called: Local; readonly result: Local }>();

  constructor(firstFree: Local, initial: MutableBlock) {
    this.nextLocal = firstFree;
    this.current = initial;
  }

  newLocal(): Local {
    return this.nextLocal++;
  }

  append(stmt: Stmt): void {
    this.current.stmts.push(stmt);
  }

  /** Plans `f` into a new block (returned); the current block is restored afterwards. */
  inBlock(f: () => void): MutableBlock {
    const saved = this.current;
    const block: MutableBlock = { stmts: [] };
    this.current = block;
    try {
      f();
    } finally {
      this.current = saved;
    }
    return block;
  }
}
