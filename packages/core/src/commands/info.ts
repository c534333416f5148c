import { randomBytes } from "node:crypto";
import os from "node:os";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition, CommandSpec } from "../command/command-spec.js";
import type { Engine } from "../engine.js";

/*
 * INFO (Redis's server.c genRedisInfoString): Redis's section names, field names and field
 * order, "# Section" headers and CRLF line endings, because clients and tools parse it
 * (ioredis waits for `loading:0`, many read `redis_version`, `role`, `used_memory`...).
 * Where kv has no equivalent of a Redis internal, the field keeps Redis's name and a neutral
 * value, so parsers find every field they expect.
 */

/** The version kv reports as Redis's: clients gate features on it, and kv implements Redis 7.0. */
const REDIS_VERSION = "7.0.15";

type Field = [string, string | number];

/** Identity and history that live as long as the engine (run id, replication id, memory peak). */
interface EngineIdentity {
  runId: string;
  replicationId: string;
  startupMemory: number;
  peakMemory: number;
}

const identities = new WeakMap<Engine, EngineIdentity>();

function identityOf(engine: Engine): EngineIdentity {
  let identity = identities.get(engine);
  if (identity === undefined) {
    identity = {
      runId: randomBytes(20).toString("hex"),
      replicationId: randomBytes(20).toString("hex"),
      startupMemory: engine.maxMemory.usedMemory(),
      peakMemory: 0,
    };
    identities.set(engine, identity);
  }
  return identity;
}

/** DEBUG CHANGE-REPL-ID: a new replication id, as Redis's changeReplicationId. */
export function changeReplicationId(engine: Engine): void {
  identityOf(engine).replicationId = randomBytes(20).toString("hex");
}

/** Redis's bytesToHuman: B below 1 KiB, else two decimals with K, M, G, T, P. */
export function bytesToHuman(bytes: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (bytes < 1024) return `${bytes}B`;
  let scaled = bytes;
  for (const unit of units) {
    scaled /= 1024;
    if (scaled < 1024 || unit === "P") return `${scaled.toFixed(2)}${unit}`;
  }
  return `${bytes}B`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part * 100) / whole).toFixed(2)}%` : "0.00%";
}

function ratio(a: number, b: number): string {
  return b > 0 ? (a / b).toFixed(2) : "0.00";
}

/** Fields the host knows better (tcp_port, config_file, persistence...) replace ours by name; new ones follow. */
function withHostFields(fields: Field[], hostFields: Field[]): Field[] {
  const byName = new Map(hostFields);
  const result: Field[] = fields.map(([name, value]) => [name, byName.has(name) ? byName.get(name)! : value]);
  const known = new Set(fields.map(([name]) => name));
  for (const [name, value] of hostFields) if (!known.has(name)) result.push([name, value]);
  return result;
}

function connectedClientCount(ctx: CommandContext): number {
  let count = 0;
  let sawCaller = false;
  for (const client of ctx.engine.host.clients()) {
    count++;
    if (client === ctx.client) sawCaller = true;
  }
  return sawCaller || ctx.client.kind !== "normal" ? count : count + 1;
}

function serverSection(ctx: CommandContext): Field[] {
  const engine = ctx.engine;
  const identity = identityOf(engine);
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const uptime = Math.max(0, Math.floor((Date.now() - engine.stats.startTime) / 1000));
  const hz = engine.config.lookup("hz")?.value ?? "10";
  const multiplexing = process.platform === "linux" ? "epoll" : process.platform === "win32" ? "winsock" : "kqueue";
  const fields: Field[] = [
    ["redis_version", REDIS_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0000000000000000"],
    ["redis_mode", "standalone"],
    ["os", `${os.type()} ${os.release()} ${os.machine()}`],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", multiplexing],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", process.pid],
    ["process_supervised", "no"],
    ["run_id", identity.runId],
    ["tcp_port", engine.config.lookup("port")?.value ?? "0"],
    ["server_time_usec", nowUs],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", Math.floor(Date.now() / 1000) & 0xffffff],
    ["executable", process.argv[1] ?? ""],
    ["config_file", ""],
    ["io_threads_active", 0],
  ];
  return withHostFields(fields, engine.host.serverInfo());
}

function clientsSection(ctx: CommandContext): Field[] {
  let maxInput = 0;
  let maxOutput = 0;
  for (const client of ctx.engine.host.clients()) {
    const { queryBuffer, outputBuffer } = client.bufferStats();
    maxInput = Math.max(maxInput, queryBuffer);
    maxOutput = Math.max(maxOutput, outputBuffer);
  }
  return [
    ["connected_clients", connectedClientCount(ctx)],
    ["cluster_connections", 0],
    ["maxclients", ctx.engine.config.lookup("maxclients")?.value ?? "10000"],
    ["client_recent_max_input_buffer", maxInput],
    ["client_recent_max_output_buffer", maxOutput],
    ["blocked_clients", ctx.engine.blocking.size],
    ["tracking_clients", 0],
    ["clients_in_timeout_table", ctx.engine.blocking.timedCount()],
  ];
}

/**
 * Memory as V8 sees it: used_memory is what maxmemory is compared with (eviction/memory-gauge.ts:
 * V8's retained heap plus external (Buffer) memory, less evicted keys not yet collected), the
 * closest analogue of Redis's allocator-reported total; rss is the process's resident set.
 */
function memorySection(ctx: CommandContext): Field[] {
  const engine = ctx.engine;
  const identity = identityOf(engine);
  const usage = process.memoryUsage();
  const used = engine.maxMemory.usedMemory();
  identity.peakMemory = Math.max(identity.peakMemory, used);
  const peak = identity.peakMemory;
  const startup = Math.min(identity.startupMemory, used);
  const overhead = startup + connectedClientCount(ctx) * 20000;
  const dataset = Math.max(0, used - overhead);
  const active = usage.heapTotal + usage.external;
  const maxmemory = Number(engine.config.lookup("maxmemory")?.value ?? "0");
  const totalSystem = os.totalmem();
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", usage.rss],
    ["used_memory_rss_human", bytesToHuman(usage.rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", bytesToHuman(peak)],
    ["used_memory_peak_perc", percent(used, peak)],
    ["used_memory_overhead", Math.min(overhead, used)],
    ["used_memory_startup", startup],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_perc", percent(dataset, used - startup)],
    ["allocator_allocated", used],
    ["allocator_active", active],
    ["allocator_resident", usage.rss],
    ["total_system_memory", totalSystem],
    ["total_system_memory_human", bytesToHuman(totalSystem)],
    ["used_memory_lua", 32768],
    ["used_memory_vm_eval", 32768],
    ["used_memory_lua_human", bytesToHuman(32768)],
    ["used_memory_scripts_eval", 0],
    ["number_of_cached_scripts", 0],
    ["number_of_functions", 0],
    ["number_of_libraries", 0],
    ["used_memory_vm_functions", 32768],
    ["used_memory_vm_total", 65536],
    ["used_memory_vm_total_human", bytesToHuman(65536)],
    ["used_memory_functions", 0],
    ["used_memory_scripts", 0],
    ["used_memory_scripts_human", bytesToHuman(0)],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", engine.config.lookup("maxmemory-policy")?.value ?? "noeviction"],
    ["allocator_frag_ratio", ratio(active, used)],
    ["allocator_frag_bytes", Math.max(0, active - used)],
    ["allocator_rss_ratio", ratio(usage.rss, active)],
    ["allocator_rss_bytes", Math.max(0, usage.rss - active)],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", ratio(usage.rss, used)],
    ["mem_fragmentation_bytes", usage.rss - used],
    ["mem_not_counted_for_evict", 0],
    ["mem_replication_backlog", 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", 0],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", "libc"],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

function persistenceSection(ctx: CommandContext): Field[] {
  const engine = ctx.engine;
  const fields: Field[] = [
    ["loading", engine.loading ? 1 : 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", 0],
    ["current_save_keys_total", 0],
    ["rdb_changes_since_last_save", engine.dirty],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", engine.host.lastSave()],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["rdb_saves", 0],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", 0],
    ["rdb_last_load_keys_loaded", 0],
    ["aof_enabled", 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_rewrites", 0],
    ["aof_rewrites_consecutive_failures", 0],
    ["aof_last_write_status", "ok"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
  return withHostFields(fields, engine.host.persistenceInfo());
}

function statsSection(ctx: CommandContext): Field[] {
  const stats = ctx.engine.stats;
  return [
    ["total_connections_received", stats.connectionsReceived],
    ["total_commands_processed", stats.commandsProcessed],
    ["instantaneous_ops_per_sec", 0],
    ["total_net_input_bytes", stats.netInputBytes],
    ["total_net_output_bytes", stats.netOutputBytes],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", "0.00"],
    ["instantaneous_output_kbps", "0.00"],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", stats.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", stats.expiredKeys],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["expire_cycle_cpu_milliseconds", 0],
    ["evicted_keys", stats.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", stats.keyspaceHits],
    ["keyspace_misses", stats.keyspaceMisses],
    ["pubsub_channels", ctx.engine.pubsub.channelCount],
    ["pubsub_patterns", ctx.engine.pubsub.patternCount],
    ["pubsubshard_channels", ctx.engine.pubsub.shardChannelCount],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", 0],
    ["tracking_total_items", 0],
    ["tracking_total_prefixes", 0],
    ["unexpected_error_replies", 0],
    ["total_error_replies", stats.errorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", stats.commandsProcessed],
    ["total_writes_processed", stats.commandsProcessed],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", 0],
    ["reply_buffer_expands", 0],
  ];
}

function replicationSection(ctx: CommandContext): Field[] {
  return [
    ["role", "master"],
    ["connected_slaves", 0],
    ["master_failover_state", "no-failover"],
    ["master_replid", identityOf(ctx.engine).replicationId],
    ["master_replid2", "0000000000000000000000000000000000000000"],
    ["master_repl_offset", 0],
    ["second_repl_offset", -1],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", ctx.engine.config.lookup("repl-backlog-size")?.value ?? "1048576"],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ];
}

function cpuSection(): Field[] {
  // Node runs JavaScript on one thread, so the process figures are also the main thread's.
  const usage = process.cpuUsage();
  const system = (usage.system / 1e6).toFixed(6);
  const user = (usage.user / 1e6).toFixed(6);
  return [
    ["used_cpu_sys", system],
    ["used_cpu_user", user],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", system],
    ["used_cpu_user_main_thread", user],
  ];
}

function* everySpec(ctx: CommandContext): Generator<CommandSpec> {
  for (const spec of ctx.engine.commands.all()) {
    yield spec;
    if (spec.subcommands !== undefined) yield* spec.subcommands.values();
  }
}

function commandStatsSection(ctx: CommandContext): Field[] {
  const fields: Field[] = [];
  for (const spec of everySpec(ctx)) {
    if (spec.calls === 0 && spec.failedCalls === 0 && spec.rejectedCalls === 0) continue;
    const perCall = spec.calls === 0 ? 0 : spec.microseconds / spec.calls;
    fields.push([
      `cmdstat_${spec.fullName}`,
      `calls=${spec.calls},usec=${spec.microseconds},usec_per_call=${perCall.toFixed(2)},rejected_calls=${spec.rejectedCalls},failed_calls=${spec.failedCalls}`,
    ]);
  }
  return fields;
}

function errorStatsSection(ctx: CommandContext): Field[] {
  // Redis keeps error prefixes in a radix tree, so they come out in byte order.
  const prefixes = [...ctx.engine.stats.errorCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return prefixes.map((prefix) => [`errorstat_${prefix}`, `count=${ctx.engine.stats.errorCounts.get(prefix)!}`]);
}

/** How many TTLs avg_ttl looks at: Redis's figure is itself an estimate, and INFO must stay cheap. */
const AVG_TTL_SAMPLE = 10000;

function keyspaceSection(ctx: CommandContext): Field[] {
  const fields: Field[] = [];
  const now = ctx.now;
  for (const db of ctx.engine.keyspace.databases) {
    if (db.size === 0) continue;
    let total = 0;
    let counted = 0;
    for (const [, when] of db.expireEntries()) {
      if (counted >= AVG_TTL_SAMPLE) break;
      if (when <= now) continue;
      total += when - now;
      counted++;
    }
    const avgTtl = counted === 0 ? 0 : Math.floor(total / counted);
    fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expiresSize},avg_ttl=${avgTtl}`]);
  }
  return fields;
}

interface InfoSection {
  readonly name: string;
  readonly title: string;
  readonly inDefault: boolean;
  readonly fields: (ctx: CommandContext) => Field[];
}

/** Every section, in the order Redis prints them. */
const sections: readonly InfoSection[] = [
  { name: "server", title: "Server", inDefault: true, fields: serverSection },
  { name: "clients", title: "Clients", inDefault: true, fields: clientsSection },
  { name: "memory", title: "Memory", inDefault: true, fields: memorySection },
  { name: "persistence", title: "Persistence", inDefault: true, fields: persistenceSection },
  { name: "stats", title: "Stats", inDefault: true, fields: statsSection },
  { name: "replication", title: "Replication", inDefault: true, fields: replicationSection },
  { name: "cpu", title: "CPU", inDefault: true, fields: cpuSection },
  { name: "modules", title: "Modules", inDefault: true, fields: () => [] },
  { name: "commandstats", title: "Commandstats", inDefault: false, fields: commandStatsSection },
  { name: "errorstats", title: "Errorstats", inDefault: true, fields: errorStatsSection },
  // kv keeps no per-command latency histograms: the section is present and empty.
  { name: "latencystats", title: "Latencystats", inDefault: false, fields: () => [] },
  { name: "cluster", title: "Cluster", inDefault: true, fields: () => [["cluster_enabled", 0]] },
  { name: "keyspace", title: "Keyspace", inDefault: true, fields: keyspaceSection },
];

/** Which sections INFO's arguments ask for: none means "default"; unknown names are ignored. */
function requestedSections(argv: readonly string[]): Set<string> {
  const wanted = new Set<string>();
  const addDefault = (): void => {
    for (const section of sections) if (section.inDefault) wanted.add(section.name);
  };
  if (argv.length === 1) addDefault();
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i]!.toLowerCase();
    if (name === "default") addDefault();
    else if (name === "all" || name === "everything") for (const section of sections) wanted.add(section.name);
    else wanted.add(name);
  }
  return wanted;
}

/** The INFO text: sections separated by an empty line, every line ending in CRLF. */
export function infoText(ctx: CommandContext, argv: readonly string[]): string {
  const wanted = requestedSections(argv);
  const parts: string[] = [];
  for (const section of sections) {
    if (!wanted.has(section.name)) continue;
    let text = `# ${section.title}\r\n`;
    for (const [name, value] of section.fields(ctx)) text += `${name}:${value}\r\n`;
    parts.push(text);
  }
  return parts.join("\r\n");
}

function info(ctx: CommandContext, argv: readonly string[]): void {
  ctx.reply.verbatim(infoText(ctx, argv), "txt");
}

export const infoCommands: CommandDefinition[] = [{ name: "info", handler: info }];
