boot arch=i386 pku=on
