module slipway.invalid/bench/hello-go

go 1.19
