// At most `n` async jobs at once; the rest wait in order (refine_agent's loops, each of which runs its own agents).

export function createLimiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) start();
  };
  return (job) =>
    new Promise((resolve, reject) => {
      queue.push(() => {
        active++;
        job()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
