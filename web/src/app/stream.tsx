import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { StreamClient, streamUrl, type StreamMessage, type StreamStatus } from "../api/stream";

const StreamContext = createContext<StreamClient | null>(null);

/** Owns the WebSocket while a user is signed in; after a reconnect every query is refreshed. */
export function StreamProvider({ children }: { children: ReactNode }) {
  const [client] = useState(() => new StreamClient(streamUrl));
  const queryClient = useQueryClient();
  useEffect(() => {
    const unsubscribe = client.onReconnect(() => void queryClient.invalidateQueries());
    client.start();
    return () => {
      unsubscribe();
      client.stop();
    };
  }, [client, queryClient]);
  return <StreamContext.Provider value={client}>{children}</StreamContext.Provider>;
}

function useClient(): StreamClient {
  const client = useContext(StreamContext);
  if (!client) throw new Error("useStream outside StreamProvider");
  return client;
}

/** Calls `handler` for every stream message of `type` ("*" for every message). */
export function useStream(type: string, handler: (message: StreamMessage) => void): void {
  const client = useClient();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client.subscribe(type, (message) => latest.current(message)), [client, type]);
}

/** Invalidates the queries under `queryKey` whenever a message of `type` arrives. */
export function useLiveQueryKey(type: string, queryKey: readonly unknown[]): void {
  const queryClient = useQueryClient();
  useStream(type, () => void queryClient.invalidateQueries({ queryKey }));
}

/** The stream's connection state, for the live indicator. */
export function useStreamStatus(): StreamStatus {
  const client = useClient();
  const [status, setStatus] = useState(client.status);
  useEffect(() => {
    setStatus(client.status);
    return client.onStatus(setStatus);
  }, [client]);
  return status;
}
