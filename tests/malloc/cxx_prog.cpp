// SPDX-License-Identifier: MIT
//
// A C++ program for tests/malloc_programs_test.c: libstdc++'s operator new
// and delete call malloc and free, and its containers, strings, shared
// pointers and exceptions allocate through them. It uses every operator
// form a C++17 program reaches - sized delete, the arrays, the aligned
// forms (which call aligned_alloc) and nothrow new - and four threads
// that hand nodes to each other, so one thread deletes what another
// allocated. The output depends only on the computation.
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace
{

std::uint64_t mix(std::uint64_t h, std::uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

bool misaligned(const void *p, std::size_t align)
{
	return reinterpret_cast<std::uintptr_t>(p) % align != 0;
}

struct alignas(64) Line
{
	std::uint64_t v[8];
};

struct alignas(4096) Page
{
	unsigned char b[4096];
};

struct Node {
	std::string name;
	std::vector<int> data;
	std::unique_ptr<Node> next;
};

// Containers that grow, rehash, shrink and are destroyed.
std::uint64_t containers(int seed)
{
	std::uint64_t h = static_cast<std::uint64_t>(seed);
	std::map<std::string, std::vector<int> > m;
	std::unordered_map<int, std::string> u;

	for (int i = 0; i < 40000; i++) {
		int k = (i * 7919 + seed) % 10007;

		m[std::to_string(k)].push_back(i);
		u[k] += static_cast<char>('a' + i % 26);
		if (i % 5 == 0)
			u.erase((k * 31) % 10007);
	}
	for (auto &p : m) {
		std::sort(p.second.begin(), p.second.end(),
			  [](int a, int b) { return a > b; });
		h = mix(h, p.second.front());
		p.second.shrink_to_fit();
	}
	std::vector<std::pair<int, std::string> > sorted(u.begin(), u.end());
	std::sort(sorted.begin(), sorted.end());
	for (auto &p : sorted)
		h = mix(h, p.first * 131 + p.second.size());
	std::string s;
	for (int i = 0; i < 100000; i++)
		s += std::to_string(i % 97);
	h = mix(h, s.size());
	return h;
}

// Every operator form, and the alignment the aligned ones promise.
std::uint64_t operators()
{
	std::uint64_t h = 0;
	std::vector<Line *> lines;
	std::vector<std::unique_ptr<Page> > pages;

	for (int i = 0; i < 2000; i++) {
		Line *l = new Line();
		if (misaligned(l, alignof(Line)))
			std::abort();
		l->v[i % 8] = static_cast<std::uint64_t>(i);
		lines.push_back(l);
	}
	for (int i = 0; i < 64; i++) {
		pages.emplace_back(new Page());
		if (misaligned(pages.back().get(), alignof(Page)))
			std::abort();
		pages.back()->b[i] = static_cast<unsigned char>(i);
	}
	for (std::size_t i = 0; i < lines.size(); i++) {
		h = mix(h, lines[i]->v[i % 8]);
		delete lines[i]; // sized, aligned delete
	}
	Line *arr = new Line[100];
	arr[99].v[7] = 7;
	h = mix(h, arr[99].v[7]);
	delete[] arr;
	int *ints = new int[1000]();
	ints[999] = 999;
	h = mix(h, static_cast<std::uint64_t>(ints[999]));
	delete[] ints;
	for (auto &p : pages)
		h = mix(h, p->b[0]);
	// A request no allocator can meet: nothrow new returns null, plain
	// new throws std::bad_alloc.
	void *huge = ::operator new(std::size_t(1) << 62, std::nothrow);
	h = mix(h, huge == nullptr);
	try {
		void *q = ::operator new(std::size_t(1) << 62);
		::operator delete(q);
		h = mix(h, 0);
	} catch (const std::bad_alloc &) {
		h = mix(h, 1);
	}
	return h;
}

// Exceptions allocate their objects with malloc (__cxa_allocate_exception).
std::uint64_t exceptions()
{
	std::uint64_t h = 0;

	for (int i = 0; i < 5000; i++) {
		try {
			if (i % 3 == 0)
				throw std::runtime_error("error " +
							 std::to_string(i));
			if (i % 3 == 1)
				throw std::vector<int>(
					static_cast<size_t>(i % 50), i);
			throw i;
		} catch (const std::runtime_error &e) {
			h = mix(h, std::string(e.what()).size());
		} catch (const std::vector<int> &v) {
			h = mix(h, v.size());
		} catch (int v) {
			h = mix(h, static_cast<std::uint64_t>(v));
		}
	}
	return h;
}

// Four threads; each builds lists of nodes and hands them to the next
// thread, which walks and deletes them.
struct Mailbox {
	std::mutex lock;
	std::condition_variable cv;
	std::deque<std::unique_ptr<Node> > q;
};

Mailbox boxes[4];

void worker(int id, std::uint64_t *out)
{
	std::uint64_t h = static_cast<std::uint64_t>(id);
	Mailbox &mine = boxes[id], &next = boxes[(id + 1) % 4];

	for (int round = 0; round < 300; round++) {
		std::unique_ptr<Node> head;
		for (int i = 0; i < 50; i++) {
			std::unique_ptr<Node> n(new Node);
			n->name = "node-" + std::to_string(id) + "-" +
				  std::to_string(round * 50 + i);
			n->data.assign(static_cast<size_t>(i % 20 + 1), i);
			n->next = std::move(head);
			head = std::move(n);
		}
		{
			std::lock_guard<std::mutex> g(next.lock);
			next.q.push_back(std::move(head));
		}
		next.cv.notify_one();
		std::unique_ptr<Node> got;
		{
			std::unique_lock<std::mutex> g(mine.lock);
			mine.cv.wait(g, [&] { return !mine.q.empty(); });
			got = std::move(mine.q.front());
			mine.q.pop_front();
		}
		// Walk and free another thread's list, iteratively.
		while (got) {
			h = mix(h, got->name.size() + got->data.size());
			got = std::move(got->next);
		}
	}
	h = mix(h, containers(id));
	*out = h;
}

} // namespace

int main()
{
	std::uint64_t r[4] = {};
	std::vector<std::thread> threads;

	std::printf("containers %016llx\n",
		    static_cast<unsigned long long>(containers(0)));
	std::printf("operators %016llx\n",
		    static_cast<unsigned long long>(operators()));
	std::printf("exceptions %016llx\n",
		    static_cast<unsigned long long>(exceptions()));
	for (int i = 0; i < 4; i++)
		threads.emplace_back(worker, i, &r[i]);
	for (auto &t : threads)
		t.join();
	auto shared = std::make_shared<std::vector<std::string> >();
	for (int i = 0; i < 1000; i++)
		shared->push_back(
			std::string(static_cast<size_t>(i % 64), 'x'));
	std::weak_ptr<std::vector<std::string> > weak = shared;
	shared.reset();
	std::printf("threads %016llx %016llx %016llx %016llx\n",
		    static_cast<unsigned long long>(r[0]),
		    static_cast<unsigned long long>(r[1]),
		    static_cast<unsigned long long>(r[2]),
		    static_cast<unsigned long long>(r[3]));
	std::printf("cxx done %d\n", weak.expired() ? 1 : 0);
	return 0;
}
