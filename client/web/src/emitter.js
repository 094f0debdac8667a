// One small event emitter for the client's modules (the connection, the store, the outbox,
// the command sender, the notes and the language each had a hand-written listener set).
// Listeners run in the order they subscribed. During an emit, a listener that another one
// removes is not called any more, and one added is called from the next emit on.

export class Emitter {
  constructor() {
    this.listeners = new Set();
  }

  /** Calls fn(value) on every emit; returns the function that unsubscribes it. */
  on(fn) {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Calls every listener with value. */
  emit(value) {
    for (const fn of [...this.listeners]) if (this.listeners.has(fn)) fn(value);
  }

  /** How many listeners there are. */
  get size() {
    return this.listeners.size;
  }
}
