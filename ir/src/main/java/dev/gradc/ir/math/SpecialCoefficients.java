package dev.gradc.ir.math;

/**
 * The constants of {@link SpecialF64}'s kernels. Written by {@code tools/math/special.py}, which
 * derives the polynomials and prints their errors; do not edit by hand.
 */
public final class SpecialCoefficients {
  private SpecialCoefficients() {}

  // lgamma near 1: degree 20 on [-0.25, 0.375], error 1.1e-18 of the result (5.5e-17 with the
  // coefficients rounded)
  public static final double LGAMMA1_0 = -0.5772156649015329;
  public static final double LGAMMA1_1 = 0.8224670334241132;
  public static final double LGAMMA1_2 = -0.40068563438653043;
  public static final double LGAMMA1_3 = 0.27058080842777077;
  public static final double LGAMMA1_4 = -0.2073855510290413;
  public static final double LGAMMA1_5 = 0.16955717700106435;
  public static final double LGAMMA1_6 = -0.14404989671815452;
  public static final double LGAMMA1_7 = 0.1255096690703438;
  public static final double LGAMMA1_8 = -0.11133426917550181;
  public static final double LGAMMA1_9 = 0.10009948840313783;
  public static final double LGAMMA1_10 = -0.09095391098130218;
  public static final double LGAMMA1_11 = 0.08335261479981369;
  public static final double LGAMMA1_12 = -0.07693377211886844;
  public static final double LGAMMA1_13 = 0.07146160811114405;
  public static final double LGAMMA1_14 = -0.0666865433413184;
  public static final double LGAMMA1_15 = 0.06212714830651423;
  public static final double LGAMMA1_16 = -0.05809849594835163;
  public static final double LGAMMA1_17 = 0.05772525580503948;
  public static final double LGAMMA1_18 = -0.06057823874049895;
  public static final double LGAMMA1_19 = 0.05123719807594546;
  public static final double LGAMMA1_20 = -0.02167912329521389;
  // lgamma near 2: degree 22 on [-0.625, 0.75], error 7.6e-19 of the result (2.5e-17 with the
  // coefficients rounded)
  public static final double LGAMMA2_0 = 0.42278433509846713;
  public static final double LGAMMA2_1 = 0.3224670334241132;
  public static final double LGAMMA2_2 = -0.06735230105319805;
  public static final double LGAMMA2_3 = 0.020580808427784834;
  public static final double LGAMMA2_4 = -0.007385551028678767;
  public static final double LGAMMA2_5 = 0.002890510330727505;
  public static final double LGAMMA2_6 = -0.0011927539115238624;
  public static final double LGAMMA2_7 = 0.000509669525038343;
  public static final double LGAMMA2_8 = -0.00022315476192086333;
  public static final double LGAMMA2_9 = 9.945750976095085e-05;
  public static final double LGAMMA2_10 = -4.492619757163067e-05;
  public static final double LGAMMA2_11 = 2.0507225993023112e-05;
  public static final double LGAMMA2_12 = -9.439763586555003e-06;
  public static final double LGAMMA2_13 = 4.3748837677443475e-06;
  public static final double LGAMMA2_14 = -2.03798272000084e-06;
  public static final double LGAMMA2_15 = 9.546726024330721e-07;
  public static final double LGAMMA2_16 = -4.527254847092806e-07;
  public static final double LGAMMA2_17 = 2.14348281040961e-07;
  public static final double LGAMMA2_18 = -9.462508081475537e-08;
  public static final double LGAMMA2_19 = 4.2307701875366634e-08;
  public static final double LGAMMA2_20 = -2.742143573888869e-08;
  public static final double LGAMMA2_21 = 1.712717946851487e-08;
  public static final double LGAMMA2_22 = -4.856726153006384e-09;
  public static final double LGAMMA_S0 = 0.4189385332046727;
  // lgamma beyond 8: degree 6 on [0.0, 0.015625], error 5.2e-19 of the result (4.2e-18 with the
  // coefficients rounded)
  public static final double LGAMMAS0 = 0.08333333333333333;
  public static final double LGAMMAS1 = -0.002777777777773988;
  public static final double LGAMMAS2 = 0.0007936507897524059;
  public static final double LGAMMAS3 = -0.0005952365845057049;
  public static final double LGAMMAS4 = 0.0008414700852503147;
  public static final double LGAMMAS5 = -0.001890382993887715;
  public static final double LGAMMAS6 = 0.005065905360156132;
  public static final double DIGAMMA_X0 = 1.4616321449683622;
  public static final double DIGAMMA_X0_LO = 9.549995429965697e-17;
  public static final double DIGAMMA_X0M1 = 0.46163214496836236;
  public static final double DIGAMMA_X0M1_LO = -1.5522348162858677e-17;
  // digamma near its zero: degree 22 on [-0.461632, 0.538368], error 2.7e-18 of the result (4.4e-17
  // with the coefficients rounded)
  public static final double DIGAMMA0 = 0.9676722454476212;
  public static final double DIGAMMA1 = -0.4427631689835921;
  public static final double DIGAMMA2 = 0.2584997609556486;
  public static final double DIGAMMA3 = -0.16394270544241185;
  public static final double DIGAMMA4 = 0.1078240506916922;
  public static final double DIGAMMA5 = -0.07219956125611147;
  public static final double DIGAMMA6 = 0.048804288134436574;
  public static final double DIGAMMA7 = -0.03316112647814546;
  public static final double DIGAMMA8 = 0.02259764928437279;
  public static final double DIGAMMA9 = -0.015424766261277919;
  public static final double DIGAMMA10 = 0.010538769938576956;
  public static final double DIGAMMA11 = -0.007204519666511045;
  public static final double DIGAMMA12 = 0.0049270580267742016;
  public static final double DIGAMMA13 = -0.0033700680515484165;
  public static final double DIGAMMA14 = 0.0023028895420557894;
  public static final double DIGAMMA15 = -0.00157420216813665;
  public static final double DIGAMMA16 = 0.0010901225234458578;
  public static final double DIGAMMA17 = -0.0007549229618596274;
  public static final double DIGAMMA18 = 0.0004717939701691318;
  public static final double DIGAMMA19 = -0.0002843132292526133;
  public static final double DIGAMMA20 = 0.0002805343686746867;
  public static final double DIGAMMA21 = -0.0002785074876883787;
  public static final double DIGAMMA22 = 0.00011881232908510335;
  // digamma beyond 10: degree 5 on [0.0, 0.01], error 1.5e-19 of the result (1.5e-19 with the
  // coefficients rounded)
  public static final double DIGAMMAS0 = 0.0833333333333333;
  public static final double DIGAMMAS1 = -0.00833333333308159;
  public static final double DIGAMMAS2 = 0.003968253673479358;
  public static final double DIGAMMAS3 = -0.004166539940034663;
  public static final double DIGAMMAS4 = 0.007550959652543505;
  public static final double DIGAMMAS5 = -0.018818831275584015;
  // erfinv near 0: degree 23 on [0.0, 0.5625], error 6.8e-19 of the result (4.4e-17 with the
  // coefficients rounded)
  public static final double ERFINV0_0 = 0.886226925452758;
  public static final double ERFINV0_1 = 0.2320136665346552;
  public static final double ERFINV0_2 = 0.127556175305364;
  public static final double ERFINV0_3 = 0.0865521292731307;
  public static final double ERFINV0_4 = 0.06495961548569619;
  public static final double ERFINV0_5 = 0.05173138113242606;
  public static final double ERFINV0_6 = 0.04283380871105215;
  public static final double ERFINV0_7 = 0.036526572558001305;
  public static final double ERFINV0_8 = 0.030756791525319117;
  public static final double ERFINV0_9 = 0.03886806745655282;
  public static final double ERFINV0_10 = -0.0736450918441082;
  public static final double ERFINV0_11 = 0.7271740013990762;
  public static final double ERFINV0_12 = -3.9867756465383075;
  public static final double ERFINV0_13 = 18.301314775050088;
  public static final double ERFINV0_14 = -67.12157078685047;
  public static final double ERFINV0_15 = 198.5092127001725;
  public static final double ERFINV0_16 = -470.7514405907425;
  public static final double ERFINV0_17 = 888.6594883403416;
  public static final double ERFINV0_18 = -1317.0928634080353;
  public static final double ERFINV0_19 = 1499.856661825684;
  public static final double ERFINV0_20 = -1267.3279988189938;
  public static final double ERFINV0_21 = 749.3355203357095;
  public static final double ERFINV0_22 = -277.2170022440218;
  public static final double ERFINV0_23 = 48.487529137122486;
  // erfinv for w in [1.17, 2.0]: degree 17 on [1.17, 2.0], error 1.8e-18 of the result (9.3e-17
  // with the coefficients rounded)
  public static final double ERFINV1_0 = 1.2334841567838837;
  public static final double ERFINV1_1 = 1.0431109177582125;
  public static final double ERFINV1_2 = 0.017856185560189947;
  public static final double ERFINV1_3 = -0.02305611100429773;
  public static final double ERFINV1_4 = 0.016116666044434756;
  public static final double ERFINV1_5 = -0.009021078435319832;
  public static final double ERFINV1_6 = 0.004300040119793369;
  public static final double ERFINV1_7 = -0.0017217004006717669;
  public static final double ERFINV1_8 = 0.0005189754529924845;
  public static final double ERFINV1_9 = -5.2193409365091094e-05;
  public static final double ERFINV1_10 = -7.82279357003426e-05;
  public static final double ERFINV1_11 = 8.226638119326883e-05;
  public static final double ERFINV1_12 = -5.3995863470639486e-05;
  public static final double ERFINV1_13 = 2.770877132033767e-05;
  public static final double ERFINV1_14 = -1.1422702369757138e-05;
  public static final double ERFINV1_15 = 3.0383775869003463e-06;
  public static final double ERFINV1_16 = 1.1197211009688904e-06;
  public static final double ERFINV1_17 = -1.5329180268596041e-06;
  public static final double ERFINV1_C = 1.585;
  // erfinv for w in [2.0, 3.0]: degree 15 on [2.0, 3.0], error 2.3e-18 of the result (2.6e-17 with
  // the coefficients rounded)
  public static final double ERFINV2_0 = 2.192545921811913;
  public static final double ERFINV2_1 = 1.0469836273142554;
  public static final double ERFINV2_2 = -0.004648939961589886;
  public static final double ERFINV2_3 = -0.0014559633516661788;
  public static final double ERFINV2_4 = 0.001374520590727081;
  public static final double ERFINV2_5 = -0.0007197657324208769;
  public static final double ERFINV2_6 = 0.00031267478788025803;
  public static final double ERFINV2_7 = -0.00012223757180337651;
  public static final double ERFINV2_8 = 4.4163303457791024e-05;
  public static final double ERFINV2_9 = -1.484679059862701e-05;
  public static final double ERFINV2_10 = 4.616221957898478e-06;
  public static final double ERFINV2_11 = -1.2983676795124764e-06;
  public static final double ERFINV2_12 = 3.135595355513418e-07;
  public static final double ERFINV2_13 = -5.201203583013644e-08;
  public static final double ERFINV2_14 = -9.69739383173042e-09;
  public static final double ERFINV2_15 = 1.141214013992002e-08;
  public static final double ERFINV2_C = 2.5;
  // erfinv for w in [3.0, 4.25]: degree 14 on [3.0, 4.25], error 2.9e-18 of the result (6.5e-17
  // with the coefficients rounded)
  public static final double ERFINV3_0 = 3.3637871738562675;
  public static final double ERFINV3_1 = 1.03526598312838;
  public static final double ERFINV3_2 = -0.004818676514642243;
  public static final double ERFINV3_3 = 0.00046622860668275005;
  public static final double ERFINV3_4 = 3.746266848910649e-05;
  public static final double ERFINV3_5 = -4.3016173309092225e-05;
  public static final double ERFINV3_6 = 1.8173560297633028e-05;
  public static final double ERFINV3_7 = -6.156474212182683e-06;
  public static final double ERFINV3_8 = 1.878180580952048e-06;
  public static final double ERFINV3_9 = -5.367959890538036e-07;
  public static final double ERFINV3_10 = 1.4621115002841226e-07;
  public static final double ERFINV3_11 = -3.8155342058225544e-08;
  public static final double ERFINV3_12 = 9.632394101501822e-09;
  public static final double ERFINV3_13 = -2.5343435214643166e-09;
  public static final double ERFINV3_14 = 5.876057170974347e-10;
  public static final double ERFINV3_C = 3.625;
  // erfinv for w in [4.25, 6.07]: degree 15 on [4.25, 6.07], error 3.6e-19 of the result (2.7e-17
  // with the coefficients rounded)
  public static final double ERFINV4_0 = 4.943248390182957;
  public static final double ERFINV4_1 = 1.023682243587118;
  public static final double ERFINV4_2 = -0.0028511316570195623;
  public static final double ERFINV4_3 = 0.00033243286616473614;
  public static final double ERFINV4_4 = -3.323420563037004e-05;
  public static final double ERFINV4_5 = 1.779252653485171e-06;
  public static final double ERFINV4_6 = 3.686501557292599e-07;
  public static final double ERFINV4_7 = -1.8124937195997836e-07;
  public static final double ERFINV4_8 = 5.188099330468704e-08;
  public static final double ERFINV4_9 = -1.2554459857368324e-08;
  public static final double ERFINV4_10 = 2.7918851845212662e-09;
  public static final double ERFINV4_11 = -5.889279046642109e-10;
  public static final double ERFINV4_12 = 1.189172899674548e-10;
  public static final double ERFINV4_13 = -2.3504240698768827e-11;
  public static final double ERFINV4_14 = 5.126716121650043e-12;
  public static final double ERFINV4_15 = -9.6461574221268e-13;
  public static final double ERFINV4_C = 5.16;
  public static final double BERNOULLI1 = 0.08333333333333333;
  public static final double BERNOULLI2 = -0.001388888888888889;
  public static final double BERNOULLI3 = 3.306878306878307e-05;
  public static final double BERNOULLI4 = -8.267195767195768e-07;
  public static final double BERNOULLI5 = 2.08767569878681e-08;
  public static final double BERNOULLI6 = -5.284190138687493e-10;
  public static final double BERNOULLI7 = 1.3382536530684679e-11;
  public static final double BERNOULLI8 = -3.3896802963225827e-13;
  public static final double BERNOULLI9 = 8.586062056277845e-15;
  public static final double BERNOULLI10 = -2.174868698558062e-16;
  public static final double BERNOULLI11 = 5.5090028283602295e-18;
  public static final double BERNOULLI12 = -1.3954464685812522e-19;
}
