import type { CommandDefinition } from "../command/command-spec.js";

export const serverCommands: CommandDefinition[] = [];
