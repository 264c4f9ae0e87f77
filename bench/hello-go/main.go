// Command hello-go is the Go anchor for bench/http-load.sh: a plain net/http server with the same
// /health/live answer as examples/myapp ({"status":"ok","timestamp":"..."}), so that the two
// are compared on equal work. It listens on 127.0.0.1:$PORT and exits on SIGTERM.
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/health/live", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		ts := time.Now().UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		w.Write([]byte(`{"status":"ok","timestamp":"` + ts + `"}` + "\n"))
	})
	srv := &http.Server{
		Addr:              "127.0.0.1:" + os.Getenv("PORT"),
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
