// Not built: the Gateway API CRDs (config/crd/standard) are read from this module in the Go module
// cache (`go mod download -json sigs.k8s.io/gateway-api` here). Edit by hand; `go mod tidy` would
// drop the requirement, since nothing imports it.
module tollgate.test/go-tools/gateway-api

go 1.26.0

require sigs.k8s.io/gateway-api v1.6.3
