/** Preloaded into a child process (`node --import`): prints its peak RSS on exit. */
process.on('exit', () => {
  process.stderr.write(`kube-guardrails-bench maxRSS_KiB=${process.resourceUsage().maxRSS}\n`);
});
