// Commands to a lab process over its stdin (one JSON line each, with an id) and its answers read
// from its stdout by id: how a test drives a long-lived helper inside a lab namespace, where the
// machine's own namespace has no route. An answer with an `error` rejects; every command is
// bounded by `timeoutMs`.

import type { LabProcess } from './lab.ts';

/** How often the answers are looked for on the process's stdout. */
const ANSWER_POLL_MS = 50;

export type Commander = <T>(command: Record<string, unknown>) => Promise<T>;

export function commander(proc: LabProcess, timeoutMs: number): Commander {
  let nextId = 0;
  let seen = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const poll = setInterval(() => {
    const lines = proc.lines();
    for (; seen < lines.length; seen++) {
      const line = lines[seen] as string;
      if (!line.startsWith('{"id"')) continue;
      const msg = JSON.parse(line) as { id: number; error?: string };
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error !== undefined) w?.reject(new Error(msg.error));
      else w?.resolve(msg);
    }
  }, ANSWER_POLL_MS);
  proc.child.once('exit', () => {
    clearInterval(poll);
    for (const w of waiting.values()) w.reject(new Error('the lab process exited'));
    waiting.clear();
  });
  return <T>(command: Record<string, unknown>): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${command.cmd} timed out`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      proc.child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  };
}
