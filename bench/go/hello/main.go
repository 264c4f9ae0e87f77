// Command hello is the Go baseline for bench/run.sh: a net/http server, standard library only,
// that is ready as soon as it listens. Like myapp it reads ADDR (default 127.0.0.1) and PORT
// (default 8080), answers GET /health/ready and /health/live with 200, and on SIGTERM or
// SIGINT stops accepting, lets requests in flight finish (at most 10 s) and exits 0.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func main() {
	addr := net.JoinHostPort(getenv("ADDR", "127.0.0.1"), getenv("PORT", "8080"))

	mux := http.NewServeMux()
	// The same body as myapp's probes, so that load tests compare equal work.
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"status":"ok","timestamp":"`+time.Now().UTC().Format(time.RFC3339Nano)+`"}`)
	}
	mux.HandleFunc("/health/ready", ok)
	mux.HandleFunc("/health/live", ok)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "hello")
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("hello: %v", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case err := <-done:
		log.Fatalf("hello: %v", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("hello: shutdown: %v", err)
	}
}
