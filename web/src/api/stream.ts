/** One message from /api/v1/stream: always a `type`, the rest depends on it. */
export interface StreamMessage {
  type: string;
  [key: string]: unknown;
}

export type StreamStatus = "connecting" | "live" | "offline";

/** Delay before reconnect attempt `attempt` (0-based): exponential from 500 ms, capped at 15 s, with
 * full jitter so that many portals do not reconnect in step after a server restart. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(15_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

type Listener = (message: StreamMessage) => void;

/**
 * The portal's single WebSocket to /api/v1/stream. Authenticated by the session cookie; reconnects
 * with back-off until stop(). After a reconnect, `onReconnect` listeners run so that views refetch
 * what they may have missed while offline.
 */
export class StreamClient {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private everConnected = false;
  private status_: StreamStatus = "offline";
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly url: () => string) {}

  get status(): StreamStatus {
    return this.status_;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.everConnected = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000);
    this.socket = null;
    this.setStatus("offline");
  }

  /** Calls `listener` for every message of `type` ("*" for all); returns an unsubscribe. */
  subscribe(type: string, listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  private connect(): void {
    this.setStatus("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setStatus("live");
      if (this.everConnected) for (const listener of this.reconnectListeners) listener();
      this.everConnected = true;
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== "string") return;
      let message: StreamMessage;
      try {
        message = JSON.parse(event.data) as StreamMessage;
      } catch {
        return;
      }
      if (typeof message.type !== "string") return;
      for (const key of [message.type, "*"]) {
        for (const listener of this.listeners.get(key) ?? []) listener(message);
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      this.setStatus("offline");
      this.timer = setTimeout(() => this.connect(), reconnectDelayMs(this.attempt++));
    };
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.status_) return;
    this.status_ = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

/** The stream URL on the same origin as the page. */
export function streamUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/api/v1/stream`;
}
