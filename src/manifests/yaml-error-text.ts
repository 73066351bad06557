/** The first line of a yaml error, without its trailing position (callers print their own). */
export function yamlErrorText(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Parse options shared by manifests and policy files: a repeated key is an error, not silently the last. */
export const YAML_OPTIONS = { uniqueKeys: true } as const;

/** Alias expansion within limits, so that a "billion laughs" document is refused. */
export const YAML_TO_JS = { maxAliasCount: 100 } as const;
