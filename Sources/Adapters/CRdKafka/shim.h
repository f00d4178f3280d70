// The librdkafka C API, as the Kafka module sees it. Compiled against Debian's
// librdkafka-dev headers; the newer, ABI-compatible librdkafka in .deps/lib is
// loaded at run time through the rpath set in Package.swift.
#include <librdkafka/rdkafka.h>
