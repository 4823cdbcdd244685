import { execFileSync, spawnSync } from 'node:child_process';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

let updated = false;
/** Installs a Debian package when `command` is missing, so a fresh machine can run the tests. */
export function ensureDebianPackage(command: string, pkg: string): void {
  if (hasCommand(command)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    updated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env });
  if (!hasCommand(command)) throw new Error(`installed ${pkg} but ${command} is still not on PATH`);
}
