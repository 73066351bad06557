/** The first line of a yaml error, without its trailing position (callers print their own). */
export function yamlErrorText(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
