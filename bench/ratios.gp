# The bar chart of bench/results/latest.png: each figure's ratio to native
# (bigger is worse) per configuration, log scale.
#   gnuplot -e "datafile='latest.dat'; outfile='latest.png'" ratios.gp
# latest.dat (bench/report.py): a comment line with one bar colour per
# configuration, a header of quoted configuration labels, then one row per
# figure: a label without spaces and one ratio per configuration (NaN where
# there is none).
ncols = int(system("awk 'NR == 3 { print NF }' '" . datafile . "'"))
colors = system("awk 'NR == 1 { $1 = \"\"; print }' '" . datafile . "'")
set terminal pngcairo size 1400,700 font "sans,10" noenhanced
set output outfile
set title "Slowdown relative to native (time / native time; native throughput / throughput for reads and TCP streams)"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.5:*]
set ytics (0.5, 1, 2, 4, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
set grid ytics
set ylabel "ratio to native (log)"
set xtics rotate by -35 nomirror
set key top left
plot for [i=2:ncols] datafile using i:xtic(1) title columnheader(i) lc rgb word(colors, i - 1), \
     1 with lines dashtype 2 lc rgb "black" notitle
