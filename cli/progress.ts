/** A one-line progress bar redrawn with `\r`, only when the stream is a terminal; silent otherwise. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 30) {
  const tty = Boolean(stream.isTTY);
  let last = 0;
  let drawn = false;
  return {
    update(done: number, total?: number) {
      const now = Date.now();
      if (!tty || (now - last < 50 && done !== total)) return;
      last = now;
      drawn = true;
      if (total) {
        const filled = Math.round((Math.min(done, total) / total) * width);
        stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
      } else stream.write(`\r${done} entries…`);
    },
    /** Clears the bar so the next line starts clean. */
    clear() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}
