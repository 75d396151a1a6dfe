import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";

/** The portal's one cache of server state. Live views refresh from the stream, not by polling. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // 4xx answers do not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});
