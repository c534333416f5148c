/**
 * Teardown steps registered by tests, run newest first. Every step runs even when an earlier
 * one throws, so one failed disconnect cannot leave a server process behind.
 */
export class Cleanups {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "several cleanup steps failed");
  }
}
