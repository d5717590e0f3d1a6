// Resident memory of a process and everything it started (Linux /proc): what `npm start` costs a laptop
// is npm, the shell it runs the script in, and the node process(es) under them.
import { readdirSync, readFileSync } from 'node:fs';

function stat(pid: number): { ppid: number; name: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    return { name: s.slice(s.indexOf('(') + 1, close), ppid: Number(s.slice(close + 2).split(' ')[1]) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** VmRSS of one process in MB (NaN once it is gone). */
export function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** `root` and its descendants, with each one's name and resident MB. */
export function processTree(root: number): Array<{ pid: number; name: string; MB: number }> {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    names.set(pid, s.name);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const found: Array<{ pid: number; name: string; MB: number }> = [];
  const visit = (pid: number) => {
    found.push({ pid, name: names.get(pid) ?? '?', MB: Math.round(rssMb(pid)) });
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return found;
}

/** The resident MB of `root` and all its descendants together. */
export const treeRssMb = (root: number) => processTree(root).reduce((sum, p) => sum + (Number.isNaN(p.MB) ? 0 : p.MB), 0);
