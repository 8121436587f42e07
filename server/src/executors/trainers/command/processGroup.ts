import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

/** How a program ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type ProcessEnd = { exit: ProcessExit } | { startError: NodeJS.ErrnoException };

/** How long to wait for the kernel to tear a group down after SIGKILL before giving up on it. */
const AFTER_KILL_MS = 5000;

/** Groups still running, killed outright if the worker itself exits. */
const liveGroups = new Set<ProcessGroup>();
let exitHookInstalled = false;

/**
 * A program started in a process group of its own, so that stopping it also stops whatever it
 * started (data loader workers, a shell's children). Output is piped; stdin is closed.
 */
export class ProcessGroup {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the program has exited or has failed to start. */
  readonly ended: Promise<ProcessEnd>;
  private exited = false;
  private stopping: Promise<void> | null = null;

  private constructor(private readonly child: ChildProcess) {
    this.stdout = child.stdout!;
    this.stderr = child.stderr!;
    this.ended = new Promise((resolve) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        // Also emitted when a signal cannot be sent; only a start failure leaves no pid.
        if (child.pid === undefined) {
          this.exited = true;
          resolve({ startError: error });
        }
      });
      child.once("exit", (code, signal) => {
        this.exited = true;
        resolve({ exit: { code, signal } });
      });
    });
    if (child.pid !== undefined) {
      liveGroups.add(this);
      installExitHook();
    }
  }

  /** Starts `argv` (no shell) as the leader of a new process group. */
  static start(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ProcessGroup {
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    return new ProcessGroup(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Stops the whole group: SIGTERM, then SIGKILL after `graceMs` to what is left. Resolves once the
   * program has exited and no process of its group is left. Also the way to clear up children that
   * outlive a program which exited by itself (it returns at once when there are none). Idempotent.
   */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.stopGroup(graceMs).finally(() => liveGroups.delete(this));
    return this.stopping;
  }

  /** SIGKILL to the whole group, now (the worker is exiting). */
  killNow(): void {
    this.signal("SIGKILL");
    liveGroups.delete(this);
  }

  private async stopGroup(graceMs: number): Promise<void> {
    if (this.child.pid === undefined || this.gone()) return;
    this.signal("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (this.gone()) return;
      // The leader's exit usually ends it all: wake on it rather than on the next poll.
      const wait = sleep(Math.min(20, Math.max(1, deadline - Date.now())));
      await (this.exited ? wait : Promise.race([wait, this.ended]));
    }
    this.signal("SIGKILL");
    const giveUp = Date.now() + AFTER_KILL_MS;
    while (!this.gone() && Date.now() < giveUp) await sleep(20);
  }

  private gone(): boolean {
    return this.exited && !groupAlive(this.child.pid!);
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}

/**
 * Whether any process of group `pgid` still runs. kill(0) also counts zombies, and an orphaned
 * zombie can stay forever where PID 1 does not reap (many containers): on Linux, /proc tells them apart.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const group of liveGroups) group.killNow();
  });
}
