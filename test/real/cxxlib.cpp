// A C++ library as plugins are written: exceptions thrown and caught
// inside, standard containers and strings, std::cout, and a C interface.
// Each namespace that loads it gets its own libstdc++ and libgcc_s.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct depth_error : std::runtime_error {
	int depth;
	explicit depth_error(int d) : std::runtime_error("deep"), depth(d) {}
};

// Recurses DEPTH frames down, then throws through all of them.
int dive(int depth, std::vector<std::string> &trail)
{
	trail.push_back(std::to_string(depth));
	if (depth == 0)
		throw depth_error(static_cast<int>(trail.size()));
	return dive(depth - 1, trail) + 1;
}

} // namespace

extern "C" {

// The number of frames an exception unwound, caught here: DEPTH + 1.
int cxx_unwind(int depth)
{
	std::vector<std::string> trail;
	try {
		return -dive(depth, trail);
	} catch (const depth_error &e) {
		return e.depth;
	}
}

// Sums the integers of a comma-separated list, or returns -1 when an item
// is not one (std::stoi throws std::invalid_argument, caught here).
long cxx_sum(const char *list)
{
	std::stringstream in(list);
	std::string item;
	long sum = 0;
	try {
		while (std::getline(in, item, ','))
			sum += std::stoi(item);
	} catch (const std::invalid_argument &) {
		return -1;
	}
	return sum;
}

// The words of TEXT counted with a std::map, as "word=n" joined by spaces
// in the map's order, in a malloc'd string the caller frees.
char *cxx_word_counts(const char *text)
{
	std::map<std::string, int> counts;
	std::istringstream in(text);
	for (std::string w; in >> w;)
		counts[w]++;
	std::string out;
	for (const auto &kv : counts)
		out += (out.empty() ? "" : " ") + kv.first + "=" +
		       std::to_string(kv.second);
	return strdup(out.c_str());
}

// Takes OWNED (malloc'd by the caller) and frees it; returns its length.
size_t cxx_consume(char *owned)
{
	size_t n = std::string(owned).size();
	std::free(owned);
	return n;
}

// Writes a line to std::cout, without flushing it.
void cxx_say(const char *who, int n)
{
	std::cout << who << " says " << n << '\n';
}

} // extern "C"
