/** Resolves with the name of the first SIGTERM or SIGINT received. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/** Runs `close`, but gives up after `limitMs` (DESIGN: exit within 10 s of SIGTERM). Resolves true if it finished. */
export async function closeWithin(close: () => Promise<void>, limitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), limitMs);
  });
  try {
    return await Promise.race([close().then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
