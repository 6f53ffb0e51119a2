package handlers

import (
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// labelEscaper escapes a label value for the text format.
var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

// formatSample writes a sample value as the text format spells it.
func formatSample(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// runtimeMetrics writes the Go runtime's numbers under the names the
// Prometheus Go client uses (go_*), so existing dashboards keep working.
// ReadMemStats stops the world for microseconds: once per scrape is fine.
func runtimeMetrics(m *expo) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.family("go_info", "gauge", "Information about the Go environment.")
	m.sample("go_info", 1, "version", runtime.Version())
	m.gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	threads, _ := runtime.ThreadCreateProfile(nil)
	m.gauge("go_threads", "Number of OS threads created.", float64(threads))
	m.gauge("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", float64(ms.Alloc))
	m.counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already.", float64(ms.TotalAlloc))
	m.gauge("go_memstats_sys_bytes", "Number of bytes obtained from system.", float64(ms.Sys))
	m.gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", float64(ms.HeapAlloc))
	m.gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", float64(ms.HeapInuse))
	m.gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", float64(ms.HeapIdle))
	m.gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", float64(ms.HeapReleased))
	m.gauge("go_memstats_heap_objects", "Number of currently allocated objects.", float64(ms.HeapObjects))
	m.gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", float64(ms.NextGC))
	m.gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(ms.LastGC)/1e9)
	m.counter("go_gc_cycles_total", "Number of completed GC cycles.", float64(ms.NumGC))
	m.counter("go_gc_pause_seconds_total", "Total time the world was stopped for garbage collection.", float64(ms.PauseTotalNs)/1e9)
}

// processMetrics writes the process's numbers (process_*) from /proc, as
// the Prometheus client does; where there is no /proc they are left out.
func processMetrics(m *expo) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14, stime 15, starttime 22, vsize
	// 23, rss 24 (proc(5)).
	rest := string(stat)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 22 {
		return
	}
	num := func(i int) float64 { v, _ := strconv.ParseFloat(f[i-3], 64); return v }
	const ticks = 100 // USER_HZ on Linux
	m.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", (num(14)+num(15))/ticks)
	m.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", num(23))
	m.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", num(24)*float64(os.Getpagesize()))
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		m.gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds)))
	}
	if up, err := os.ReadFile("/proc/uptime"); err == nil {
		secs, _, _ := strings.Cut(string(up), " ")
		if secs, err := strconv.ParseFloat(secs, 64); err == nil {
			boot := float64(time.Now().UnixNano())/1e9 - secs
			m.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", boot+num(22)/ticks)
		}
	}
}
