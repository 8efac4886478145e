// Where and when the figures were taken.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function cpuModel() {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
  return line ? line.split(':')[1].trim() : 'unknown';
}

function git(root, ...args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(root, browserVersion) {
  return {
    date: new Date().toISOString(),
    command: 'npm run bench',
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpuModel(),
    memGiB: Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) / 1048576),
    node: process.version,
    chromium: browserVersion,
    commit: git(root, 'rev-parse', '--short', 'HEAD'),
    dirtyTree: Boolean(git(root, 'status', '--porcelain')),
  };
}
