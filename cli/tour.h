/* SPDX-License-Identifier: MIT */
/* The built-in tour that `mmkit demo` runs (also examples/tour.mms). */
#ifndef MMK_CLI_TOUR_H
#define MMK_CLI_TOUR_H

extern const char mmk_tour_script[];

#endif /* MMK_CLI_TOUR_H */
