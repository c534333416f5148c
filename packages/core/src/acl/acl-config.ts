import type { ConfigStore } from "../config.js";
import type { Engine } from "../engine.js";
import { enumConfig, integerConfig } from "../core-config.js";

/** The ACL parameters of Redis 7.0 (aclfile, acl-pubsub-default, acllog-max-len). */
export function defineAclConfig(config: ConfigStore, engine: Engine): void {
  const acl = engine.acl;
  config.define({
    name: "aclfile",
    // Fixed at start-up, as in Redis: ACL LOAD and ACL SAVE always use the file the server started with.
    immutable: true,
    value: "",
    apply: (value) => {
      acl.filename = value;
      return undefined;
    },
  });
  config.define({
    name: "acl-pubsub-default",
    validate: enumConfig("allchannels", "resetchannels"),
    value: "resetchannels",
    apply: (value) => {
      acl.allChannelsByDefault = value === "allchannels";
      return undefined;
    },
  });
  config.define({
    name: "acllog-max-len",
    validate: integerConfig(0, "9223372036854775807"),
    value: "128",
    apply: (value) => {
      acl.log.maxLength = Number(value);
      acl.log.trim();
      return undefined;
    },
  });
}
