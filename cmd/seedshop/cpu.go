package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// On a machine shared with other work, latency says as much about the neighbours as about the
// code; the CPU the server and its Postgres backends spend per request does not. Read from
// /proc (Linux; elsewhere the column stays empty).

const clockTicks = 100 // USER_HZ on Linux

// cpuTimes returns utime+stime per process: the server (if pid > 0) and every Postgres backend
// connected to database db.
func cpuTimes(pid int, db string) map[int]time.Duration {
	out := map[int]time.Duration{}
	if pid > 0 {
		if t, ok := procCPU(pid); ok {
			out[pid] = t
		}
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.HasPrefix(string(cmd), "postgres: ") || !strings.Contains(string(cmd), " "+db+" ") {
			continue
		}
		p, _ := strconv.Atoi(filepath.Base(d))
		if t, ok := procCPU(p); ok {
			out[p] = t
		}
	}
	return out
}

func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / clockTicks, true
}

// cpuSince sums the CPU used between two snapshots; processes that appeared count from zero.
func cpuSince(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d
}

func cpuPerRequest(r result) string {
	if r.cpu == 0 || len(r.latencies) == 0 {
		return "-"
	}
	return ms(r.cpu / time.Duration(len(r.latencies)))
}
