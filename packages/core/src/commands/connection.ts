import type { CommandDefinition } from "../command/command-spec.js";

export const connectionCommands: CommandDefinition[] = [];
