package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Tests flush the Redis databases they lease, so they never run on a Redis they did not start:
// TEST_REDIS_URL names one started for tests (scripts/test.sh does), and without it each test
// process starts a redis-server of its own on a free port, which dies with the process.
var ownRedis struct {
	once sync.Once
	url  string
	err  error
}

func privateRedisURL() (string, error) {
	ownRedis.once.Do(func() { ownRedis.url, ownRedis.err = startOwnRedis() })
	return ownRedis.url, ownRedis.err
}

func startOwnRedis() (string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errors.New("tests need a Redis of their own: install redis-server (apt-get install redis-server) " +
			"or set TEST_REDIS_URL to a Redis the tests may flush")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", os.TempDir(), "--loglevel", "warning")
	if err := startTiedToProcess(cmd); err != nil {
		return "", fmt.Errorf("start redis-server: %w", err)
	}
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	opt, _ := redis.ParseURL(url)
	c := redis.NewClient(opt)
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			return url, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("redis-server on port %d did not answer", port)
		}
	}
}
